import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { computeType, type DType } from '../../dtype';
import { TesseraError } from '../../errors';
import { runPixelProgram, xyzt } from '../../codegen/program';
import { loader, storageElement } from '../../codegen/wgsl';
import { dispatch, kernelFor } from '../../gpu/kernel';
import { checkNumber, checkOptionsObject, checkShape, checkVoxelSize } from '../../validate/arguments';
import { checkLabelImage, checkMatrix, checkNeighbourCount, checkPointlist, type LabelSubset } from '../../validate/neighbours';
import { set } from '../arithmetic/set-operations';
import { defineOp, image, type ParamSpec } from '../op';
import { centroidsOfLabels } from '../measure/statistics';
import { generateDistanceMatrix, generateProximalNeighborsMatrix, nClosestPoints } from './distance-matrix';
import { shapeOfPointlist } from './pointlists';
import { restrictToSubset } from './subset';
import { generateTouchMatrix } from './touch-matrix';

/**
 * Meshes: straight lines between points of a pointlist drawn into a float32 image (line pixels
 * 1, others 0) — the seed's neighbour mesh between the centroids of touching or nearest labels.
 *
 * Rasterisation: scikit-image's `skimage.draw.line_nd(start, stop, endpoint=True)` computed in
 * float32 (what line_nd does for float32 coordinates): n = ceil(max |stop - start|) + 1 points
 * evenly spaced from start to stop (numpy's linspace, the last point exactly `stop`), each
 * coordinate rounded half to even, or floored along an axis where the line starts on a half pixel
 * and steps one pixel per point (line_nd's `_round_safe`). Lines are connected (each pixel a direct
 * or diagonal neighbour of the previous one) and include both end pixels. pyclesperanto instead
 * steps 0.5 pixel along the line, truncates, and leaves out the end pixel: its meshes can differ
 * by a pixel here and there. Pixels outside the image are skipped; a line with a NaN end point
 * (a label without pixels) or longer than 4 × the sum of the image's extents is not drawn.
 */

const WORKGROUP = 64;

/** WGSL `draw_line(a, b)`: the rasterisation of the module note, for the first `P.dims` axes. */
const DRAW_LINE = `const ONE_BITS = 0x3f800000u;
fn plot(p: vec3<f32>) {
  let s = P.shape;
  let q = vec3<i32>(p);
  if (any(q < vec3<i32>(0)) || any(vec3<u32>(q) >= s.xyz)) { return; }
  let k = (u32(q.z) * s.y + u32(q.y)) * s.x + u32(q.x);
  if (atomicLoad(&mesh[k]) != ONE_BITS) { atomicStore(&mesh[k], ONE_BITS); }
}
fn draw_line(a_in: vec3<f32>, b_in: vec3<f32>) {
  let used = vec3<bool>(true, P.dims > 1u, P.dims > 2u);
  let a = select(vec3<f32>(0.0), a_in, used);
  let b = select(vec3<f32>(0.0), b_in, used);
  let delta = b - a;
  let span = abs(delta);
  let longest = max(span.x, max(span.y, span.z));
  // Points that do not exist (NaN) draw nothing, nor do lines far longer than the image.
  if (!(longest <= f32(P.shape.x + P.shape.y + P.shape.z) * 4.0)) { return; }
  let div = u32(ceil(longest));
  if (div == 0u) { plot(round(a)); return; }
  let step = delta / f32(div);
  // numpy's linspace multiplies i by the step, unless a step is 0 (then i / div by delta).
  let zero_step = any(used & (step == vec3<f32>(0.0)));
  let floor_axis = used & (a - floor(a) == vec3<f32>(0.5)) & ((a + step) - a == vec3<f32>(1.0));
  for (var i = 0u; i <= div; i++) {
    var p = select(f32(i) * step + a, (f32(i) / f32(div)) * delta + a, zero_step);
    if (i == div) { p = b; }
    plot(select(round(p), floor(p), floor_axis));
  }
}`;

const pointOf = (name: string) => `fn point_${name}(j: u32) -> vec3<f32> {
  var v = vec3<f32>(0.0);
  for (var k = 0u; k < P.dims; k++) { v[k] = f32(load_${name}(k * P.points + j)); }
  return v;
}`;

interface MeshParams {
  kind: 'touch' | 'index';
  points: DType;
  list: DType;
}

const meshKernel = (p: MeshParams) =>
  kernelFor('mesh', p, ({ kind, points, list }) => {
    const zero = computeType(list) === 'f32' ? '0.0' : `${computeType(list)}(0)`;
    // touch: one thread per matrix entry [j + 1, i + 1] with i < j; index: one per index-list entry [r, i].
    const body =
      kind === 'touch'
        ? `let n = P.points;
  if (gid >= n * n) { return; }
  let i = gid % n;
  let j = gid / n;
  if (i >= j) { return; }
  let side = n + 1u;
  if (load_l((j + 1u) * side + i + 1u) > ${zero} || load_l((i + 1u) * side + j + 1u) > ${zero}) {
    draw_line(point_p(i), point_p(j));
  }`
        : `if (gid >= P.entries) { return; }
  let i = gid % P.columns;
  let other = u32(load_l(gid));
  if (other == 0u || other > P.points) { return; }
  draw_line(point_p(i), point_p(other - 1u));`;
    return {
      label: kind === 'touch' ? 'touchMatrixToMesh' : 'pointIndexListToMesh',
      bindings: [
        { name: 'p_buf', type: `array<${storageElement(points)}>` },
        { name: 'l_buf', type: `array<${storageElement(list)}>` },
        { name: 'mesh', type: 'array<atomic<u32>>', access: 'read_write' },
      ],
      uniforms: [
        { name: 'shape', type: 'vec4<u32>' },
        { name: 'points', type: 'u32' },
        { name: 'dims', type: 'u32' },
        { name: 'entries', type: 'u32' },
        { name: 'columns', type: 'u32' },
      ],
      workgroupSize: WORKGROUP,
      declarations: `${loader('p', points)}\n${loader('l', list)}\n${pointOf('p')}\n${DRAW_LINE}`,
      body,
    };
  });

async function meshImage(fn: string, p: GpuImage, shape: readonly number[] | undefined): Promise<GpuImage> {
  const extents = shape === undefined ? await shapeOfPointlist(fn, p) : checkShape([...shape], `${fn}: shape`);
  if (extents.length > 3) throw new TesseraError(`${fn}: shape must have 1 to 3 axes; got [${extents}]`);
  if (p.shape[0] < extents.length) {
    throw new TesseraError(`${fn}: a ${extents.length}D mesh needs a pointlist with ${extents.length} rows (x, y, z); the pointlist has ${p.shape[0]}`);
  }
  return set(create(extents, 'float32'), 0);
}

/**
 * Draws a line between points i and j of a pointlist [dims, N] where the touch matrix
 * ([N + 1, N + 1], row/column 0 = background, ignored) is non-zero at [i + 1, j + 1] or
 * [j + 1, i + 1]. Returns a float32 image of `shape` (z, y, x order; default: the largest
 * coordinate + 1 per axis) with line pixels 1 (rasterised as the module note says). Async.
 * pyclesperanto_prototype: `touch_matrix_to_mesh`; skimage: `line_nd(..., endpoint=True)` per pair.
 */
export const touchMatrixToMesh = defineOp(
  { params: [image('pointlist'), image('touchMatrix'), { name: 'shape', kind: 'value', optional: true }], output: 'float32', tiling: 'global' },
  async function touchMatrixToMesh(pointlist: GpuImage, touchMatrix: GpuImage, shape?: readonly number[]): Promise<GpuImage> {
    const fn = 'touchMatrixToMesh';
    const p = checkPointlist(pointlist, `${fn}: pointlist`);
    const m = checkMatrix(touchMatrix, `${fn}: touchMatrix`);
    const n = p.shape[1];
    if (m.shape[0] !== n + 1) throw new TesseraError(`${fn}: touchMatrix (shape [${m.shape}]) must be [N + 1, N + 1] for a pointlist of N = ${n} points`);
    const mesh = await meshImage(fn, p, shape);
    const uniforms = { shape: xyzt(mesh.shape), points: n, dims: mesh.ndim, entries: n * n, columns: n };
    dispatch(meshKernel({ kind: 'touch', points: p.dtype, list: m.dtype }), [p.buffer, m.buffer, mesh.buffer], uniforms, Math.ceil((n * n) / WORKGROUP));
    return mesh;
  },
);

/**
 * Draws a line from each point i of a pointlist [dims, N] to the points that column i of an
 * index list [n, N] names (1-based point numbers as `nClosestPoints` gives; 0 = none). Returns a
 * float32 image of `shape` (default: the largest coordinate + 1 per axis), line pixels 1. Async.
 * pyclesperanto_prototype: `point_index_list_to_mesh`; skimage: `line_nd(..., endpoint=True)` per entry.
 */
export const pointIndexListToMesh = defineOp(
  { params: [image('pointlist'), image('indexList'), { name: 'shape', kind: 'value', optional: true }], output: 'float32', tiling: 'global' },
  async function pointIndexListToMesh(pointlist: GpuImage, indexList: GpuImage, shape?: readonly number[]): Promise<GpuImage> {
    const fn = 'pointIndexListToMesh';
    const p = checkPointlist(pointlist, `${fn}: pointlist`);
    const l = checkMatrix(indexList, `${fn}: indexList`, false);
    const n = p.shape[1];
    if (l.shape[1] !== n) throw new TesseraError(`${fn}: indexList (shape [${l.shape}]) must have one column per point of the pointlist (${n})`);
    const mesh = await meshImage(fn, p, shape);
    const uniforms = { shape: xyzt(mesh.shape), points: n, dims: mesh.ndim, entries: l.size, columns: n };
    dispatch(meshKernel({ kind: 'index', points: p.dtype, list: l.dtype }), [p.buffer, l.buffer, mesh.buffer], uniforms, Math.ceil(l.size / WORKGROUP));
    return mesh;
  },
);

/** Options of the meshes drawn from label images. */
export interface MeshOptions {
  /**
   * Draw only the lines between labels of this subset: a list of label ids (both ends in it), or
   * `{ from, to }` (one end in each list), e.g. the surface and sub-surface labels of
   * `classifySurfaceLabels`. Ids that are not labels of the image select nothing. Default: all.
   */
  subset?: LabelSubset;
}

/** Options of {@link drawMeshBetweenProximalLabels}. */
export interface ProximalMeshOptions extends MeshOptions {
  /** Voxel size (z, y, x) in which `maximumDistance` is measured; default 1 on every axis (pixels). */
  voxelSize?: readonly number[];
}

const subsetField: ParamSpec = { name: 'subset', kind: 'value', optional: true, doc: 'label ids, or { from, to }: only lines between these labels' };

/** A neighbour matrix of `labels` (from its centroids) drawn as a mesh of the label image's shape, restricted to `subset`. */
async function drawNeighbourMatrix(fn: string, labels: GpuImage, centroids: GpuImage, matrix: GpuImage, subset: LabelSubset | undefined): Promise<GpuImage> {
  const kept = restrictToSubset(fn, matrix, subset);
  try {
    return await touchMatrixToMesh(centroids, kept, labels.shape);
  } finally {
    if (kept !== matrix) kept.release();
  }
}

/**
 * The seed's neighbour mesh: lines between the centroids of touching labels, in a float32 image
 * of the label image's shape (line pixels 1). With `options.subset`, only the lines between
 * labels of the subset (e.g. the surface mesh of `classifySurfaceLabels`). Async.
 * pyclesperanto_prototype: `draw_mesh_between_touching_labels` (without subsets).
 */
export const drawMeshBetweenTouchingLabels = defineOp(
  { params: [image('labels'), { name: 'options', kind: 'options', fields: [subsetField] }], output: 'float32', tiling: 'global' },
  async function drawMeshBetweenTouchingLabels(labels: GpuImage, options: MeshOptions = {}): Promise<GpuImage> {
    const fn = 'drawMeshBetweenTouchingLabels';
    checkLabelImage(labels, `${fn}: labels`);
    const { subset } = checkOptionsObject<MeshOptions>(options, `${fn}: options`);
    const touch = await generateTouchMatrix(labels);
    if (touch.shape[0] === 1) {
      touch.release();
      return set(create(labels.shape, 'float32'), 0);
    }
    const centroids = await centroidsOfLabels(labels);
    try {
      return await drawNeighbourMatrix(fn, labels, centroids, touch, subset);
    } finally {
      centroids.release();
      touch.release();
    }
  },
);

/** A pointlist [dims, N] with row k (x, y, z) multiplied by the voxel size of that axis (given in z, y, x order). */
function scalePointlist(points: GpuImage, voxelSize: readonly number[]): GpuImage {
  const [sx, sy, sz] = [...voxelSize].reverse();
  return runPixelProgram({
    op: 'scalePointlist',
    inputs: { p: points },
    output: create(points.shape, 'float32'),
    scalars: { sx: { type: 'f32', value: sx }, sy: { type: 'f32', value: sy ?? 1 }, sz: { type: 'f32', value: sz ?? 1 } },
    coords: true,
    computeType: 'f32',
    body: 'return f32(load_p(i)) * select(select(P.sz, P.sy, c.y == 1), P.sx, c.y == 0);',
  });
}

/**
 * Lines between the centroids of labels whose centroids are at most `maximumDistance` apart
 * (measured in `options.voxelSize` units; pixels by default), in a float32 image of the label
 * image's shape (line pixels 1); with `options.subset`, only lines between labels of the subset.
 * Async. pyclesperanto_prototype: `draw_mesh_between_proximal_labels(labels, maximum_distance)`
 * (centroids, `generate_distance_matrix`, `generate_proximal_neighbors_matrix`, `touch_matrix_to_mesh`).
 */
export const drawMeshBetweenProximalLabels = defineOp(
  {
    params: [
      image('labels'),
      { name: 'maximumDistance', kind: 'number', default: 1, min: 0, soft: [0, 100] },
      { name: 'options', kind: 'options', fields: [subsetField, { name: 'voxelSize', kind: 'value', optional: true, doc: 'voxel size (z, y, x) of the distances' }] },
    ],
    output: 'float32',
    tiling: 'global',
  },
  async function drawMeshBetweenProximalLabels(labels: GpuImage, maximumDistance = 1, options: ProximalMeshOptions = {}): Promise<GpuImage> {
    const fn = 'drawMeshBetweenProximalLabels';
    checkLabelImage(labels, `${fn}: labels`);
    const limit = checkNumber(maximumDistance, `${fn}: maximumDistance`);
    if (limit < 0) throw new TesseraError(`${fn}: maximumDistance must be >= 0; got ${limit}`);
    const { subset, voxelSize } = checkOptionsObject<ProximalMeshOptions>(options, `${fn}: options`);
    const size = checkVoxelSize(voxelSize, labels.ndim, `${fn}: options.voxelSize`);
    const centroids = await centroidsOfLabels(labels);
    const physical = scalePointlist(centroids, size);
    const distances = generateDistanceMatrix(physical, physical);
    physical.release();
    const proximal = generateProximalNeighborsMatrix(distances, 0, limit);
    distances.release();
    try {
      return await drawNeighbourMatrix(fn, labels, centroids, proximal, subset);
    } finally {
      centroids.release();
      proximal.release();
    }
  },
);

/**
 * Lines from the centroid of each label to the centroids of its n closest labels (centroid
 * distances; background excluded), in a float32 image of the label image's shape. Assumes
 * isotropic pixels. Async. pyclesperanto_prototype: `draw_mesh_between_n_closest_labels`.
 */
export const drawMeshBetweenNClosestLabels = defineOp(
  {
    params: [image('labels'), { name: 'n', kind: 'number', integer: true, default: 1, min: 1, soft: [1, 10] }],
    output: 'float32',
    tiling: 'global',
  },
  async function drawMeshBetweenNClosestLabels(labels: GpuImage, n = 1): Promise<GpuImage> {
    const fn = 'drawMeshBetweenNClosestLabels';
    checkLabelImage(labels, `${fn}: labels`);
    const centroids = await centroidsOfLabels(labels);
    try {
      checkNeighbourCount(n, centroids.shape[1] - 1, `${fn}: n`, 'labels');
    } catch (e) {
      centroids.release();
      throw e;
    }
    const distances = generateDistanceMatrix(centroids, centroids);
    try {
      const closest = nClosestPoints(distances, n);
      try {
        return await pointIndexListToMesh(centroids, closest, labels.shape);
      } finally {
        closest.release();
      }
    } finally {
      distances.release();
      centroids.release();
    }
  },
);
