import type { GpuImage } from '../../array/gpu-image';
import { create, push } from '../../array/transfer';
import { xyzt } from '../../codegen/program';
import { nonZero } from '../../codegen/snippets';
import { loader, storageElement } from '../../codegen/wgsl';
import { computeType, type DType } from '../../dtype';
import { TesseraError } from '../../errors';
import { dispatch, kernelFor } from '../../gpu/kernel';
import { set } from '../arithmetic/set-operations';
import { rayGrids, surfaceDirections, TILE } from './rays';

/**
 * Ray casting through a 3D label volume on the GPU (see docs/surface.md).
 *
 * 1. Bricks: one pass over the voxels marks, per 8 × 8 × 8 brick, whether it holds a label and
 *    (with a mask) a voxel outside the mask, and, per label, that it is present.
 * 2. Rays: one invocation per ray of every direction (rays.ts), a workgroup per 16 × 16 tile of
 *    neighbouring rays of one direction. Each ray enters the box and walks the voxels it crosses
 *    in order (a 3D DDA, Amanatides & Woo): from each voxel it steps to the neighbour across the
 *    nearest cell wall, t recomputed from the integer cell every step so that errors do not add
 *    up. A brick that cannot change the outcome (no labels while the ray looks for one; no
 *    outside voxel while it looks for the outside) is crossed in one step, to the cell where the
 *    ray leaves it. A ray counts the first label it meets while it is "outside": from outside
 *    the box when there is no mask (and then it stops); with a mask, only after it has crossed a
 *    voxel outside the mask, so rays entering through the box where the mask is set (a crop
 *    through the embryo) and background inside the mask (holes) count nothing, and a ray that
 *    leaves the mask again may count another label.
 * 3. Counting: the first hits of a workgroup are gathered in workgroup memory, and the first
 *    invocation of each run of equal labels along a row of the tile adds the run's length with
 *    one atomic (neighbouring rays mostly meet the same cell).
 *
 * Work: one pass over the V voxels, then per direction about (X + Y + Z)² rays at most (the
 * shadow of the box), each taking O(d / 8 + h) steps: d the distance it travels through empty
 * bricks, h the voxels it walks in occupied ones before its first hit. Memory: V / 512 brick
 * words, 2 (N + 1) counters.
 */

const BRICK = 8;
const WORKGROUP = 256;
const LABEL_BIT = 1;
const OUTSIDE_BIT = 2;

/** The counter table: hits of label l at [l], presence of label l at [N + 1 + l]. */
export interface RayCasting {
  table: GpuImage;
  directions: Float64Array;
  rays: number;
}

interface CastParams {
  labels: DType;
  mask: DType | null;
}

const outsideFn = (mask: DType | null) => (mask ? `${loader('mask', mask)}\nfn outside_at(i: u32) -> bool { return !${nonZero(computeType(mask), 'load_mask(i)')}; }` : '');
const maskBinding = (mask: DType | null) => (mask ? [{ name: 'mask_buf', type: `array<${storageElement(mask)}>` }] : []);

const brickKernel = (p: CastParams) =>
  kernelFor('surfaceBricks', p, ({ labels, mask }) => ({
    label: 'surfaceLabels bricks',
    bindings: [
      { name: 'lab_buf', type: `array<${storageElement(labels)}>` },
      ...maskBinding(mask),
      { name: 'bricks', type: 'array<atomic<u32>>', access: 'read_write' },
      { name: 'table', type: 'array<atomic<u32>>', access: 'read_write' },
    ],
    uniforms: [
      { name: 'shape', type: 'vec4<u32>' },
      { name: 'bricks_shape', type: 'vec4<u32>' },
      { name: 'count', type: 'u32' },
      { name: 'presence', type: 'u32' },
    ],
    workgroupSize: WORKGROUP,
    declarations: `${loader('lab', labels)}
${outsideFn(mask)}
/** What voxel i (holding label l) tells its brick: a label, a voxel outside the mask. */
fn voxel_bits(i: u32, l: u32) -> u32 {
  return select(0u, ${LABEL_BIT}u, l != 0u)${mask ? ` | select(0u, ${OUTSIDE_BIT}u, outside_at(i))` : ''};
}`,
    body: `let i = gid;
  if (i >= P.count) { return; }
  let s = P.shape;
  let x = i % s.x;
  let b = vec3<u32>(x, (i / s.x) % s.y, i / (s.x * s.y)) / ${BRICK}u;
  let l = u32(load_lab(i));
  let bits = voxel_bits(i, l);
  // Only the first voxel of a run along x within a brick row marks what it holds: its
  // neighbours along the run hold the same, so the same few words are not hit by every voxel.
  let head = x % ${BRICK}u == 0u;
  let prev = select(i - 1u, i, head);
  let prev_l = u32(load_lab(prev));
  if (l != 0u && (head || prev_l != l)) {
    let k = P.presence + l;
    if (atomicLoad(&table[k]) == 0u) { atomicStore(&table[k], 1u); }
  }
  if (bits != 0u && (head || voxel_bits(prev, prev_l) != bits)) {
    let k = (b.z * P.bricks_shape.y + b.y) * P.bricks_shape.x + b.x;
    // Read first: most runs of a brick find their bits set already.
    if ((atomicLoad(&bricks[k]) & bits) != bits) { atomicOr(&bricks[k], bits); }
  }`,
  }));

const rayKernel = (p: CastParams) =>
  kernelFor('surfaceRays', p, ({ labels, mask }) => ({
    label: 'surfaceLabels rays',
    bindings: [
      { name: 'lab_buf', type: `array<${storageElement(labels)}>` },
      ...maskBinding(mask),
      { name: 'bricks', type: 'array<u32>' },
      { name: 'grid_f', type: 'array<vec4<f32>>' },
      { name: 'grid_u', type: 'array<vec4<u32>>' },
      { name: 'table', type: 'array<atomic<u32>>', access: 'read_write' },
    ],
    uniforms: [
      { name: 'shape', type: 'vec4<u32>' },
      { name: 'bricks_shape', type: 'vec4<u32>' },
      { name: 'directions', type: 'u32' },
      { name: 'groups', type: 'u32' },
      { name: 'max_steps', type: 'u32' },
    ],
    workgroupSize: WORKGROUP,
    declarations: `${loader('lab', labels)}
${outsideFn(mask)}
var<workgroup> first_hits: array<u32, ${WORKGROUP}>;
const BIG = 3.0e38;

/** t at which the ray o + t v reaches the cell walls at integer coordinates \`wall\` (BIG on axes it does not move along). */
fn wall_t(wall: vec3<i32>, o: vec3<f32>, inv: vec3<f32>, moving: vec3<bool>) -> vec3<f32> {
  return select(vec3<f32>(BIG), (vec3<f32>(wall) - o) * inv, moving);
}

/** The axis of the smallest t as a mask (ties to x, then y): vectors are never indexed at run time. */
fn first_axis(t: vec3<f32>) -> vec3<bool> {
  let x = t.x <= t.y && t.x <= t.z;
  let y = !x && t.y <= t.z;
  return vec3<bool>(x, y, !x && !y);
}

/** Whether a cell lies outside the volume. */
fn outside_volume(c: vec3<i32>, L: vec3<i32>) -> bool {
  return any(c < vec3<i32>(0)) || any(c >= L);
}

/** The direction of workgroup g: the last whose first workgroup is <= g. */
fn direction_of(g: u32) -> u32 {
  var lo = 0u;
  var hi = P.directions;
  while (hi - lo > 1u) {
    let mid = (lo + hi) / 2u;
    if (grid_u[mid].w <= g) { lo = mid; } else { hi = mid; }
  }
  return lo;
}

/** Walks the ray o + t v (t >= 0) through the volume; returns the first label it counts (0: none). Later hits (with a mask) are counted here. */
fn march(o: vec3<f32>, v: vec3<f32>, inv: vec3<f32>) -> u32 {
  let L = vec3<i32>(P.shape.xyz);
  let moving = v != vec3<f32>(0.0);
  let ta = select(vec3<f32>(-BIG), -o * inv, moving);
  let tb = select(vec3<f32>(BIG), (vec3<f32>(L) - o) * inv, moving);
  let lo = min(ta, tb);
  let hi = max(ta, tb);
  let t0 = max(max(lo.x, lo.y), max(lo.z, 0.0));
  let t1 = min(hi.x, min(hi.y, hi.z));
  if (!(t0 < t1)) { return 0u; }
  let step = vec3<i32>(sign(v));
  let up = vec3<i32>(v > vec3<f32>(0.0));
  let forward = step >= vec3<i32>(0);
  var cell = clamp(vec3<i32>(floor(o + t0 * v)), vec3<i32>(0), L - 1);
  var live = ${mask ? 'false' : 'true'};
  var first = 0u;
  var brick = vec3<i32>(-1);
  var flags = 0u;
  for (var n = 0u; n < P.max_steps; n++) {
    let b = cell / ${BRICK};
    if (any(b != brick)) {
      brick = b;
      flags = bricks[(u32(b.z) * P.bricks_shape.y + u32(b.y)) * P.bricks_shape.x + u32(b.x)];
    }
    if ((flags & select(${OUTSIDE_BIT}u, ${LABEL_BIT}u, live)) == 0u) {
      // Nothing here can change the outcome: jump to the cell where the ray leaves the brick
      // (bricks at the far faces end at the volume's faces).
      let base = brick * ${BRICK};
      let tx = wall_t(min(base + up * ${BRICK}, L), o, inv, moving);
      let axis = first_axis(tx);
      var c = clamp(vec3<i32>(floor(o + min(tx.x, min(tx.y, tx.z)) * v)), base, min(base + ${BRICK - 1}, L - 1));
      // Never back: a cell coordinate only moves the way the ray goes.
      c = select(min(c, cell), max(c, cell), forward);
      cell = select(c, select(base - 1, base + ${BRICK}, step > vec3<i32>(0)), axis);
      if (outside_volume(cell, L)) { break; }
      continue;
    }
    let i = (u32(cell.z) * P.shape.y + u32(cell.y)) * P.shape.x + u32(cell.x);
    let l = u32(load_lab(i));
    if (l != 0u) {
      if (live) {
        if (first == 0u) { first = l; } else { atomicAdd(&table[l], 1u); }
        ${mask ? '' : 'break;'}
      }
      live = false;
    }${mask ? ' else if (outside_at(i)) { live = true; }' : ''}
    cell += select(vec3<i32>(0), step, first_axis(wall_t(cell + up, o, inv, moving)));
    if (outside_volume(cell, L)) { break; }
  }
  return first;
}`,
    body: `var hit = 0u;
  if (group < P.groups) {
    let k = direction_of(group);
    let g = grid_u[k];
    let tile = group - g.w;
    let u = (tile % g.z) * ${TILE}u + lid % ${TILE}u;
    let w = (tile / g.z) * ${TILE}u + lid / ${TILE}u;
    if (u < g.x && w < g.y) {
      let f = 5u * k;
      let o = grid_f[f].xyz + (f32(u) + 0.5) * grid_f[f + 1u].xyz + (f32(w) + 0.5) * grid_f[f + 2u].xyz;
      hit = march(o, grid_f[f + 3u].xyz, grid_f[f + 4u].xyz);
    }
  }
  first_hits[lid] = hit;
  workgroupBarrier();
  // Runs of equal hits along a row of the tile: one atomic per run (at most 16 steps per thread).
  let column = lid % ${TILE}u;
  if (hit != 0u && (column == 0u || first_hits[lid - 1u] != hit)) {
    var run = 1u;
    for (var j = lid + 1u; j < lid - column + ${TILE}u; j++) {
      if (first_hits[j] != hit) { break; }
      run++;
    }
    atomicAdd(&table[hit], run);
  }`,
  }));

/**
 * Records the ray casting of `labels` (3D, largest label `n`) along the 6 axis directions and
 * `directions` more (physical space, `voxelSize` in z, y, x order), counting only rays from
 * outside `mask` where one is given. Checks are the caller's.
 */
export function castRays(fn: string, labels: GpuImage, n: number, directions: number, voxelSize: readonly number[], mask: GpuImage | undefined): RayCasting {
  const extent = xyzt(labels.shape).slice(0, 3);
  const bricksShape = extent.map((e) => Math.ceil(e / BRICK));
  const physical = surfaceDirections(directions);
  const grids = rayGrids(physical, extent, [...voxelSize].reverse());
  if (grids.rays > 0xffffffff) {
    throw new TesseraError(`${fn}: ${grids.rays.toExponential(2)} rays (${physical.length / 3} directions through [${labels.shape}]) are more than the 32-bit counters hold; cast fewer directions`);
  }
  const params: CastParams = { labels: labels.dtype, mask: mask?.dtype ?? null };
  const table = set(create([2 * (n + 1)], 'uint32'), 0);
  const bricks = set(create([bricksShape[0] * bricksShape[1] * bricksShape[2]], 'uint32'), 0);
  const shape = [...extent, 1];
  const brickShape = [...bricksShape, 1];
  const maskBuffers = mask ? [mask.buffer] : [];
  dispatch(
    brickKernel(params),
    [labels.buffer, ...maskBuffers, bricks.buffer, table.buffer],
    { shape, bricks_shape: brickShape, count: labels.size, presence: n + 1 },
    Math.ceil(labels.size / WORKGROUP),
  );
  // Finite by construction: no NaN check.
  const gridF = push(grids.floats, [grids.floats.length], { allowNonFinite: true });
  const gridU = push(grids.words, [grids.words.length]);
  dispatch(
    rayKernel(params),
    [labels.buffer, ...maskBuffers, bricks.buffer, gridF.buffer, gridU.buffer, table.buffer],
    { shape, bricks_shape: brickShape, directions: physical.length / 3, groups: grids.groups, max_steps: extent[0] + extent[1] + extent[2] + 8 },
    grids.groups,
  );
  for (const img of [bricks, gridF, gridU]) img.release();
  return { table, directions: physical, rays: grids.rays };
}
