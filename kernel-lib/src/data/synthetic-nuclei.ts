import { checkFitsOneBuffer } from '../gpu/buffer-pool';
import type { GpuImage } from '../array/gpu-image';
import { push } from '../array/transfer';
import { TesseraError } from '../errors';
import { checkShape } from '../validate/arguments';
import { addImages } from '../ops/arithmetic/image-arithmetic';
import { gaussianBlur } from '../ops/filters/gaussian-blur';
import { addGaussianNoise, ellipsoidArea, uniform } from './random';

/**
 * A synthetic embryo-like 3D stack with known ground truth, for tests, benchmarks and notebooks:
 * nuclei (ellipsoids of random size and brightness) in a shell near the surface of an ellipsoidal
 * "embryo", as in the seed's Tribolium castaneum light-sheet data, on a background that rises
 * along x, blurred (the optics) and with Gaussian noise (the camera). Deterministic for a seed.
 */
export interface SyntheticNucleiOptions {
  /** Shape (z, y, x); default [140, 355, 710] (the seed's stack). */
  shape?: readonly number[];
  /** Number of nuclei asked for; fewer are placed if the shell is full. Default: about 1,750 for the default shape, scaled by the shell's area. */
  count?: number;
  /** Smallest and largest semi-axis of a nucleus in pixels; default [3.5, 5.5]. */
  radius?: readonly [number, number];
  /** Nucleus brightness range (before blur); default [250, 700]. */
  brightness?: readonly [number, number];
  /** Background at x = 0 and at the far end; default [20, 120]. */
  background?: readonly [number, number];
  /** Gaussian blur sigma (all axes); default 1. */
  blur?: number;
  /** Standard deviation of the additive Gaussian noise; default 6. */
  noise?: number;
  /** Random seed; default 1. */
  seed?: number;
}

export interface SyntheticNuclei {
  /** The stack, float32. */
  image: GpuImage;
  /** Ground truth: nucleus k (1..count) at its pixels before blurring, uint32. */
  labels: GpuImage;
  /** Number of nuclei placed. */
  count: number;
  /** Nucleus centres (x, y, z) and semi-axes (rx, ry, rz), in pixels. */
  nuclei: Array<{ centre: [number, number, number]; radii: [number, number, number] }>;
}

/**
 * Makes the stack and its ground truth (see {@link SyntheticNucleiOptions} for the defaults).
 * Nuclei do not touch: their centres keep the sum of their largest semi-axes plus 3 pixels apart.
 */
export function syntheticNuclei(options: SyntheticNucleiOptions = {}): SyntheticNuclei {
  const fn = 'syntheticNuclei';
  const shape = checkShape([...(options.shape ?? [140, 355, 710])], `${fn}: options.shape`);
  if (shape.length !== 3) throw new TesseraError(`${fn}: options.shape must be 3D (z, y, x); got [${shape}]`);
  checkFitsOneBuffer(shape.reduce((a, b) => a * b, 1) * 4, () => `${fn}(shape [${shape}])`);
  const [nz, ny, nx] = shape;
  const [rmin, rmax] = options.radius ?? [3.5, 5.5];
  const [bmin, bmax] = options.brightness ?? [250, 700];
  const [g0, g1] = options.background ?? [20, 120];
  const rand = uniform(options.seed ?? 1);
  // The embryo: an ellipsoid filling most of the stack; nuclei sit in a shell just inside its surface.
  const semi = [0.42 * nx, 0.4 * ny, 0.38 * nz];
  const centre = [nx / 2, ny / 2, nz / 2];
  const count = options.count ?? Math.round((1750 * ellipsoidArea(semi[0], semi[1], semi[2])) / ellipsoidArea(0.42 * 710, 0.4 * 355, 0.38 * 140));
  const spacing = 2 * rmax + 3;
  const cell = spacing;
  const grid = new Map<string, number[]>();
  const nuclei: SyntheticNuclei['nuclei'] = [];
  const key = (x: number, y: number, z: number) => `${Math.floor(x / cell)},${Math.floor(y / cell)},${Math.floor(z / cell)}`;
  for (let attempt = 0; attempt < 60 * count && nuclei.length < count; attempt++) {
    // A uniform direction, scaled onto the ellipsoid, moved inwards by up to one nucleus diameter.
    const u = 2 * rand() - 1;
    const phi = 2 * Math.PI * rand();
    const s = Math.sqrt(1 - u * u);
    const depth = 1 - (rmax + 2 * rmax * rand()) / Math.min(...semi);
    const p: [number, number, number] = [centre[0] + semi[0] * s * Math.cos(phi) * depth, centre[1] + semi[1] * s * Math.sin(phi) * depth, centre[2] + semi[2] * u * depth];
    if (p.some((c, k) => c < rmax + 1 || c > [nx, ny, nz][k] - rmax - 2)) continue;
    let free = true;
    for (let dz = -1; dz <= 1 && free; dz++) for (let dy = -1; dy <= 1 && free; dy++) for (let dx = -1; dx <= 1 && free; dx++) {
      for (const k of grid.get(key(p[0] + dx * cell, p[1] + dy * cell, p[2] + dz * cell)) ?? []) {
        const q = nuclei[k].centre;
        if (Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) < spacing) { free = false; break; }
      }
    }
    if (!free) continue;
    const radii: [number, number, number] = [0, 0, 0].map(() => rmin + (rmax - rmin) * rand()) as [number, number, number];
    grid.set(key(...p), [...(grid.get(key(...p)) ?? []), nuclei.length]);
    nuclei.push({ centre: p, radii });
  }
  const n = nx * ny * nz;
  const pixels = new Float32Array(n);
  const truth = new Uint32Array(n);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) pixels[i] = g0 + ((g1 - g0) * x) / Math.max(1, nx - 1);
    }
  }
  nuclei.forEach(({ centre: c, radii: r }, k) => {
    const brightness = bmin + (bmax - bmin) * rand();
    for (let z = Math.ceil(c[2] - r[2]); z <= Math.floor(c[2] + r[2]); z++) {
      for (let y = Math.ceil(c[1] - r[1]); y <= Math.floor(c[1] + r[1]); y++) {
        for (let x = Math.ceil(c[0] - r[0]); x <= Math.floor(c[0] + r[0]); x++) {
          if (((x - c[0]) / r[0]) ** 2 + ((y - c[1]) / r[1]) ** 2 + ((z - c[2]) / r[2]) ** 2 > 1) continue;
          const i = (z * ny + y) * nx + x;
          truth[i] = k + 1;
          pixels[i] += brightness;
        }
      }
    }
  });
  const raw = push(pixels, shape);
  const sigma = options.blur ?? 1;
  const blurred = sigma > 0 ? gaussianBlur(raw, sigma, sigma, sigma) : raw;
  if (blurred !== raw) raw.release();
  // Noise on the host (Box-Muller), so the stack is the same on every GPU; added after the blur.
  const noise = options.noise ?? 6;
  let image = blurred;
  if (noise > 0) {
    const e = new Float32Array(n);
    addGaussianNoise(e, noise, rand);
    const noiseImage = push(e, shape);
    image = addImages(blurred, noiseImage);
    blurred.release();
    noiseImage.release();
  }
  return { image, labels: push(truth, shape), count: nuclei.length, nuclei };
}
