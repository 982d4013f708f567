/**
 * The rays of the surface analysis, on the host: the directions (the 6 axis directions and an
 * even Fibonacci spread over the sphere, in physical space) and, per direction, the grid of
 * parallel rays that covers the volume.
 *
 * Rays live in voxel-index space, where the volume is the box [0, X] × [0, Y] × [0, Z] and voxel
 * (x, y, z) the unit cube at (x, y, z); a physical direction d becomes v = d / voxelSize
 * (normalised). The rays of a direction start on the plane of the box face they enter through
 * along their dominant axis a (largest |v_a|): at a = 0 for v_a > 0, at a = extent_a otherwise.
 * Along the other two axes b < c they lie one voxel apart, at offset + u + 0.5 (u = 0, 1, ...),
 * over the whole shadow of the box on that plane: extent_b + |Δb| rays along b (rounded up), Δb =
 * extent_a · v_b / |v_a| being how far a ray drifts along b while it crosses the box, and offset
 * -max(0, Δb). So every voxel of the entry face gets one ray, and an axis direction casts exactly
 * one ray through the centre of every line of voxels.
 */

/** The 6 axis directions (+x, -x, +y, -y, +z, -z), then `n` directions spread evenly over the sphere; x, y, z per direction. */
export function surfaceDirections(n: number): Float64Array {
  const out = new Float64Array(3 * (6 + n));
  for (let k = 0; k < 6; k++) out[3 * k + (k >> 1)] = k % 2 === 0 ? 1 : -1;
  // Fibonacci lattice: z evenly spaced in (-1, 1), successive points a golden angle apart.
  const golden = Math.PI * (3 - Math.sqrt(5));
  for (let k = 0; k < n; k++) {
    const z = 1 - (2 * k + 1) / n;
    const r = Math.sqrt(1 - z * z);
    out.set([r * Math.cos(golden * k), r * Math.sin(golden * k), z], 3 * (6 + k));
  }
  return out;
}

/** Rays per workgroup side: a workgroup casts a 16 × 16 tile of neighbouring rays. */
export const TILE = 16;

/** The ray grids of all directions, as the ray-casting kernel reads them. */
export interface RayGrids {
  /** Per direction 5 vec4<f32>: grid corner (the ray u = w = 0 less the half voxel), unit steps along u and w, v, 1 / v (0 where v is 0). */
  floats: Float32Array;
  /** Per direction a vec4<u32>: rays along u, rays along w, tiles along u, first workgroup. */
  words: Uint32Array;
  /** Workgroups over all directions. */
  groups: number;
  /** Rays over all directions (including rays of the grid that miss the box). */
  rays: number;
}

/**
 * The ray grid of each physical direction (x, y, z triples) through a volume of `extent` voxels
 * (x, y, z) of size `voxelSize` (x, y, z); see the module note.
 */
export function rayGrids(directions: Float64Array, extent: readonly number[], voxelSize: readonly number[]): RayGrids {
  const count = directions.length / 3;
  const floats = new Float32Array(20 * count);
  const words = new Uint32Array(4 * count);
  let groups = 0;
  let rays = 0;
  for (let k = 0; k < count; k++) {
    const d = [0, 1, 2].map((i) => directions[3 * k + i] / voxelSize[i]);
    const norm = Math.hypot(d[0], d[1], d[2]);
    const v = d.map((x) => x / norm);
    let a = 0;
    for (let i = 1; i < 3; i++) if (Math.abs(v[i]) > Math.abs(v[a])) a = i;
    const [b, c] = [0, 1, 2].filter((i) => i !== a);
    const corner = [0, 0, 0];
    corner[a] = v[a] > 0 ? 0 : extent[a];
    const size = [b, c].map((i) => {
      const drift = (extent[a] * v[i]) / Math.abs(v[a]);
      corner[i] = -Math.max(0, drift);
      return Math.ceil(extent[i] + Math.abs(drift));
    });
    const unit = (i: number) => [0, 1, 2].map((j) => (j === i ? 1 : 0));
    const f = 20 * k;
    floats.set(corner, f);
    floats.set(unit(b), f + 4);
    floats.set(unit(c), f + 8);
    floats.set(v, f + 12);
    floats.set(v.map((x) => (x === 0 ? 0 : 1 / x)), f + 16);
    const tiles = Math.ceil(size[0] / TILE);
    words.set([size[0], size[1], tiles, groups], 4 * k);
    groups += tiles * Math.ceil(size[1] / TILE);
    rays += size[0] * size[1];
  }
  return { floats, words, groups, rays };
}
