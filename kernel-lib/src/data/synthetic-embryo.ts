import { checkFitsOneBuffer } from '../gpu/buffer-pool';
import type { GpuImage } from '../array/gpu-image';
import { push } from '../array/transfer';
import { TesseraError } from '../errors';
import { checkInteger, checkNumber, checkShape, checkVoxelSize } from '../validate/arguments';
import { gaussianBlur } from '../ops/filters/gaussian-blur';
import { ellipsoidArea, uniform } from './random';

/**
 * A synthetic embryo with known surface and sub-surface cells, for the ray-casting analysis
 * (ops/surface/), its tests, benchmark and notebook: nuclei (ellipsoids) on two concentric
 * ellipsoidal shells inside an ellipsoidal embryo, the cells as the Voronoi partition of the
 * embryo by the nuclei (the seed's "theoretical membranes"), and which shell each nucleus sits
 * on. All geometry is in physical units (`voxelSize`), so anisotropic stacks hold the same embryo.
 * Deterministic for a seed (random numbers drawn on the host).
 */
export interface SyntheticEmbryoOptions {
  /** Shape (z, y, x); default [64, 96, 96]. */
  shape?: readonly number[];
  /** Voxel size (z, y, x) in physical units; default [1, 1, 1]. */
  voxelSize?: readonly number[];
  /**
   * The outer and the inner shell as fractions of the embryo's semi-axes (the embryo's semi-axes
   * are 0.45 × the stack's physical extent per axis); default [0.8, 0.45]. Well-separated shells
   * (the default) keep every inner cell away from the embryo's surface.
   */
  shells?: readonly [number, number];
  /** Distance between neighbouring nuclei on a shell, physical units; default 9. */
  spacing?: number;
  /** Mean semi-axis of a nucleus, physical units (each semi-axis varies by ±20 %); default 2.5. */
  nucleusRadius?: number;
  /** Random seed (an integer); default 1. */
  seed?: number;
}

export interface SyntheticEmbryo {
  /** A fluorescence-like stack: bright nuclei, dim cytoplasm, dark outside, blurred by σ = 1 physical unit; float32. */
  image: GpuImage;
  /** The nuclei: label k at the pixels of nucleus k, 0 elsewhere; uint32. */
  nuclei: GpuImage;
  /** The cells: every pixel of the embryo takes the label of its nearest nucleus centre (physical distance), 0 outside; uint32. */
  cells: GpuImage;
  /** The embryo (1 inside, 0 outside); uint8. */
  mask: GpuImage;
  /** Number of nuclei (labels 1..count). */
  count: number;
  /** The shell of each label: 1 = outer (surface), 2 = inner (sub-surface); index 0 unused. */
  shellOf: Uint8Array;
  /** Labels on the outer shell, ascending. */
  outer: Uint32Array;
  /** Labels on the inner shell, ascending. */
  inner: Uint32Array;
  /** Nucleus centres in pixels: x, y, z of label k at 3 (k - 1). */
  centres: Float64Array;
}

/** A random rotation (a uniform unit quaternion, Shoemake) as a row-major 3 × 3 matrix. */
function randomRotation(rand: () => number): number[] {
  const [u1, u2, u3] = [rand(), rand(), rand()];
  const [a, b] = [Math.sqrt(1 - u1), Math.sqrt(u1)];
  const [x, y, z, w] = [a * Math.sin(2 * Math.PI * u2), a * Math.cos(2 * Math.PI * u2), b * Math.sin(2 * Math.PI * u3), b * Math.cos(2 * Math.PI * u3)];
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  ];
}

/**
 * `n` points spread evenly over a unit sphere (a Fibonacci lattice), turned by a random rotation
 * and jittered by up to `jitter` (radians, about), then scaled onto the ellipsoid `semi` around `centre`.
 */
function shellPoints(n: number, centre: number[], semi: number[], jitter: number, rand: () => number): number[][] {
  const r = randomRotation(rand);
  const golden = Math.PI * (3 - Math.sqrt(5));
  const points: number[][] = [];
  for (let k = 0; k < n; k++) {
    const z = 1 - (2 * k + 1) / n;
    const s = Math.sqrt(1 - z * z);
    let u = [s * Math.cos(golden * k), s * Math.sin(golden * k), z];
    u = [0, 1, 2].map((i) => r[3 * i] * u[0] + r[3 * i + 1] * u[1] + r[3 * i + 2] * u[2] + jitter * (2 * rand() - 1));
    const norm = Math.hypot(u[0], u[1], u[2]);
    points.push([0, 1, 2].map((i) => centre[i] + (semi[i] * u[i]) / norm));
  }
  return points;
}

/**
 * Makes the embryo (see {@link SyntheticEmbryoOptions} for the defaults): each shell holds as
 * many nuclei as its area takes at the spacing (hexagonal packing), numbered 1..count in raster
 * order of their centres (z, then y, then x), as a labelling of the stack would number them.
 */
export function syntheticEmbryo(options: SyntheticEmbryoOptions = {}): SyntheticEmbryo {
  const fn = 'syntheticEmbryo';
  const shape = checkShape([...(options.shape ?? [64, 96, 96])], `${fn}: options.shape`);
  if (shape.length !== 3) throw new TesseraError(`${fn}: options.shape must be 3D (z, y, x); got [${shape}]`);
  checkFitsOneBuffer(shape.reduce((a, b) => a * b, 1) * 4, () => `${fn}(shape [${shape}])`);
  const [sz, sy, sx] = checkVoxelSize(options.voxelSize, 3, `${fn}: options.voxelSize`);
  const [outerShell, innerShell] = options.shells ?? [0.8, 0.45];
  for (const [v, what] of [[outerShell, 'shells[0]'], [innerShell, 'shells[1]']] as const) {
    if (checkNumber(v, `${fn}: options.${what}`) <= 0 || v >= 1) throw new TesseraError(`${fn}: options.${what} must lie in (0, 1); got ${v}`);
  }
  if (innerShell >= outerShell) throw new TesseraError(`${fn}: options.shells must be [outer, inner] with outer > inner; got [${outerShell}, ${innerShell}]`);
  const spacing = checkNumber(options.spacing ?? 9, `${fn}: options.spacing`);
  const radius = checkNumber(options.nucleusRadius ?? 2.5, `${fn}: options.nucleusRadius`);
  if (spacing <= 0 || radius <= 0) throw new TesseraError(`${fn}: options.spacing and options.nucleusRadius must be positive`);
  const rand = uniform(checkInteger(options.seed ?? 1, `${fn}: options.seed`));

  const [nz, ny, nx] = shape;
  const size = [sx, sy, sz];
  const extent = [nx, ny, nz];
  // Physical position of voxel index i on axis k: i · size[k]; the embryo is centred in the stack.
  const centre = [0, 1, 2].map((k) => ((extent[k] - 1) * size[k]) / 2);
  const semi = [0, 1, 2].map((k) => 0.45 * extent[k] * size[k]);

  const placed: Array<{ p: number[]; radii: number[]; shell: number }> = [];
  for (const [shell, fraction] of [[1, outerShell], [2, innerShell]] as const) {
    const axes = semi.map((a) => a * fraction);
    const n = Math.max(4, Math.round(ellipsoidArea(axes[0], axes[1], axes[2]) / ((Math.sqrt(3) / 2) * spacing * spacing)));
    for (const p of shellPoints(n, centre, axes, (0.1 * spacing) / Math.min(...axes), rand)) {
      placed.push({ p, radii: [0, 1, 2].map(() => radius * (0.8 + 0.4 * rand())), shell });
    }
  }
  // Raster order of the centres (z, then y, then x).
  placed.sort((a, b) => a.p[2] - b.p[2] || a.p[1] - b.p[1] || a.p[0] - b.p[0]);
  const count = placed.length;
  const shellOf = new Uint8Array(count + 1);
  const centres = new Float64Array(3 * count);
  placed.forEach((q, k) => {
    shellOf[k + 1] = q.shell;
    for (let i = 0; i < 3; i++) centres[3 * k + i] = q.p[i] / size[i];
  });

  const voxels = nx * ny * nz;
  const mask = new Uint8Array(voxels);
  const cells = new Uint32Array(voxels);
  const nuclei = new Uint32Array(voxels);
  const inEmbryo = (x: number, y: number, z: number) =>
    ((x * sx - centre[0]) / semi[0]) ** 2 + ((y * sy - centre[1]) / semi[1]) ** 2 + ((z * sz - centre[2]) / semi[2]) ** 2 <= 1;

  // Voronoi cells, block by block: a block's nearest centre is among the centres whose distance
  // to the block is at most the smallest farthest-corner distance of any centre.
  const B = 8;
  const candidates: number[] = [];
  const near = new Float64Array(count);
  for (let bz = 0; bz < nz; bz += B) for (let by = 0; by < ny; by += B) for (let bx = 0; bx < nx; bx += B) {
    const lo = [bx * sx, by * sy, bz * sz];
    const hi = [Math.min(bx + B, nx) - 1, Math.min(by + B, ny) - 1, Math.min(bz + B, nz) - 1].map((v, k) => v * size[k]);
    // Blocks wholly outside the embryo: their point nearest to its centre is outside.
    const nearest = [0, 1, 2].map((i) => (Math.min(Math.max(centre[i], lo[i]), hi[i]) - centre[i]) / semi[i]);
    if (nearest[0] ** 2 + nearest[1] ** 2 + nearest[2] ** 2 > 1) continue;
    let bound = Infinity;
    placed.forEach(({ p }, k) => {
      let dmin = 0;
      let dmax = 0;
      for (let i = 0; i < 3; i++) {
        const below = lo[i] - p[i];
        const above = p[i] - hi[i];
        const d = Math.max(below, above, 0);
        dmin += d * d;
        const far = Math.max(Math.abs(p[i] - lo[i]), Math.abs(p[i] - hi[i]));
        dmax += far * far;
      }
      near[k] = dmin;
      if (dmax < bound) bound = dmax;
    });
    candidates.length = 0;
    for (let k = 0; k < count; k++) if (near[k] <= bound) candidates.push(k);
    for (let z = bz; z < Math.min(bz + B, nz); z++) for (let y = by; y < Math.min(by + B, ny); y++) for (let x = bx; x < Math.min(bx + B, nx); x++) {
      if (!inEmbryo(x, y, z)) continue;
      let best = -1;
      let bestD = Infinity;
      for (const k of candidates) {
        const p = placed[k].p;
        const d = (x * sx - p[0]) ** 2 + (y * sy - p[1]) ** 2 + (z * sz - p[2]) ** 2;
        if (d < bestD) [best, bestD] = [k, d];
      }
      const i = (z * ny + y) * nx + x;
      mask[i] = 1;
      cells[i] = best + 1;
    }
  }

  // Nuclei: ellipsoids (axis-aligned, physical semi-axes) around their centres, inside the embryo.
  const image = new Float32Array(voxels);
  for (let i = 0; i < voxels; i++) image[i] = mask[i] ? 20 : 5;
  placed.forEach(({ p, radii }, k) => {
    const brightness = 100 + 100 * rand();
    const range = (axis: number) => [Math.max(0, Math.ceil((p[axis] - radii[axis]) / size[axis])), Math.min(extent[axis] - 1, Math.floor((p[axis] + radii[axis]) / size[axis]))];
    const [[x0, x1], [y0, y1], [z0, z1]] = [range(0), range(1), range(2)];
    for (let z = z0; z <= z1; z++) for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) {
      if (((x * sx - p[0]) / radii[0]) ** 2 + ((y * sy - p[1]) / radii[1]) ** 2 + ((z * sz - p[2]) / radii[2]) ** 2 > 1) continue;
      const i = (z * ny + y) * nx + x;
      if (!mask[i]) continue;
      nuclei[i] = k + 1;
      image[i] += brightness;
    }
  });

  const raw = push(image, shape);
  const blurred = gaussianBlur(raw, 1 / sx, 1 / sy, 1 / sz);
  raw.release();
  const ids = (shell: number) => Uint32Array.from(placed.flatMap((q, k) => (q.shell === shell ? [k + 1] : [])));
  return {
    image: blurred,
    nuclei: push(nuclei, shape),
    cells: push(cells, shape),
    mask: push(mask, shape),
    count,
    shellOf,
    outer: ids(1),
    inner: ids(2),
    centres,
  };
}
