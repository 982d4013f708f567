import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { computeType } from '../../dtype';
import { runPixelProgram, xyzt } from '../../codegen/program';
import { loader, storageElement } from '../../codegen/wgsl';
import { dispatch, kernelFor } from '../../gpu/kernel';
import { checkBoolean } from '../../validate/arguments';
import { checkLabelImage, checkMatrix } from '../../validate/neighbours';
import { set } from '../arithmetic/set-operations';
import { defineOp, image } from '../op';
import { checkMatrixFits, labelCount } from './label-count';

/**
 * Touch matrices (region adjacency graphs) as pyclesperanto builds them: for a label image with
 * labels 1..N, an (N + 1) × (N + 1) uint32 matrix whose entry [a, b] (row a, column b) is 1 where
 * labels a and b touch and 0 elsewhere; row and column 0 are the background. Both halves are
 * filled (the matrix is symmetric) and the diagonal is 0.
 */

const WORKGROUP = 256;

// One thread per pixel compares it with its +x, +y and +z neighbours (6-connectivity, no
// wrap-around at the borders). Touches are rare among pixels, and most of them repeat an entry
// that is set already: read before writing, so that the same few words are not hammered by atomics.
const touchKernel = (dtype: GpuImage['dtype']) =>
  kernelFor('touchMatrix', dtype, (d) => ({
    label: 'generateTouchMatrix',
    bindings: [
      { name: 'lab_buf', type: `array<${storageElement(d)}>` },
      { name: 'matrix', type: 'array<atomic<u32>>', access: 'read_write' },
    ],
    uniforms: [
      { name: 'shape', type: 'vec4<u32>' },
      { name: 'count', type: 'u32' },
      { name: 'side', type: 'u32' },
    ],
    workgroupSize: WORKGROUP,
    declarations: `${loader('lab', d)}
fn label_at(i: u32) -> u32 { return u32(load_lab(i)); }
fn mark(k: u32) { if (atomicLoad(&matrix[k]) == 0u) { atomicStore(&matrix[k], 1u); } }
fn touch(a: u32, b: u32) {
  if (a != b && a < P.side && b < P.side) { mark(a * P.side + b); mark(b * P.side + a); }
}`,
    body: `let i = gid;
  if (i >= P.count) { return; }
  let s = P.shape;
  let x = i % s.x;
  let y = (i / s.x) % s.y;
  let z = i / (s.x * s.y);
  let a = label_at(i);
  if (x + 1u < s.x) { touch(a, label_at(i + 1u)); }
  if (y + 1u < s.y) { touch(a, label_at(i + s.x)); }
  if (z + 1u < s.z) { touch(a, label_at(i + s.x * s.y)); }`,
  }));

/**
 * The touch matrix of a label image: (N + 1) × (N + 1) uint32 with 1 at [a, b] and [b, a] where
 * labels a and b are face neighbours (6-connectivity in 3D, 4 in 2D), row/column 0 for the
 * background. N is the largest label (read back from the GPU, hence async). Labels need not be
 * sequential: a missing label has an empty row and column.
 *
 * pyclesperanto: `generate_touch_matrix` (same layout and dtype; the prototype used float32).
 * numpy oracle: `M[a[:-1], a[1:]] = M[a[1:], a[:-1]] = 1` along each axis, diagonal cleared.
 */
export const generateTouchMatrix = defineOp(
  { params: [image('labels')], output: 'uint32', tiling: 'global' },
  async function generateTouchMatrix(labels: GpuImage): Promise<GpuImage> {
    const fn = 'generateTouchMatrix';
    checkLabelImage(labels, `${fn}: labels`);
    const n = await labelCount(fn, labels);
    checkMatrixFits(fn, n + 1, n + 1, 'touch matrix');
    const matrix = set(create([n + 1, n + 1], 'uint32'), 0);
    dispatch(
      touchKernel(labels.dtype),
      [labels.buffer, matrix.buffer],
      { shape: xyzt(labels.shape), count: labels.size, side: n + 1 },
      Math.ceil(labels.size / WORKGROUP),
    );
    return matrix;
  },
);

/**
 * The number of touching neighbours of each label, from a touch matrix: a uint32 vector of
 * shape [1, N + 1] (entry k for label k). With `ignoreBackground` (default) row 0, column 0 and
 * the diagonal are not counted (entry 0 is then 0); without, touching the background counts as
 * one neighbour and entry 0 counts the labels that touch the background.
 * pyclesperanto: `count_touching_neighbors`; numpy: `(M > 0).sum(axis=0)` (after zeroing row/column 0
 * and the diagonal).
 */
export const countTouchingNeighbors = defineOp(
  { params: [image('touchMatrix'), { name: 'ignoreBackground', kind: 'boolean', default: true }], output: 'uint32', tiling: 'global' },
  function countTouchingNeighbors(touchMatrix: GpuImage, ignoreBackground = true): GpuImage {
    const fn = 'countTouchingNeighbors';
    const m = checkMatrix(touchMatrix, `${fn}: touchMatrix`);
    checkBoolean(ignoreBackground, `${fn}: ignoreBackground`);
    const t = computeType(m.dtype);
    return runPixelProgram({
      op: fn,
      inputs: { m },
      output: create([1, m.shape[1]], 'uint32'),
      scalars: { ignore: { type: 'u32', value: ignoreBackground ? 1 : 0 } },
      coords: true,
      computeType: 'u32',
      body: `let skip = P.ignore != 0u;
  if (skip && c.x == 0) { return 0u; }
  var count = 0u;
  for (var y = select(0, 1, skip); y < i32(P.m_shape.y); y++) {
    if (skip && y == c.x) { continue; }
    if (at_m(vec4<i32>(c.x, y, 0, 0)) > ${t === 'f32' ? '0.0' : `${t}(0)`}) { count++; }
  }
  return count;`,
    });
  },
);

/**
 * Neighbours of neighbours: a touch matrix (same shape, uint32 0/1) where [a, b] is 1 if b is
 * a (the diagonal is 1), a neighbour of a, or a neighbour of a neighbour of a. The input is made symmetric and
 * self-adjacent first, as pyclesperanto's `touch_matrix_to_adjacency_matrix` does. Unlike
 * pyclesperanto, the background (row/column 0) does not link two labels: labels that both only
 * touch the background are not neighbours of neighbours, and row/column 0 of the result keep the
 * direct touches with the background.
 * pyclesperanto_prototype: `neighbors_of_neighbors`; numpy: `((A @ A) > 0)` with `A = M | M.T | I`
 * and the background excluded from the product.
 */
export const neighborsOfNeighbors = defineOp(
  { params: [image('touchMatrix')], output: 'uint32', tiling: 'global' },
  function neighborsOfNeighbors(touchMatrix: GpuImage): GpuImage {
    const fn = 'neighborsOfNeighbors';
    const m = checkMatrix(touchMatrix, `${fn}: touchMatrix`);
    const t = computeType(m.dtype);
    const zero = t === 'f32' ? '0.0' : `${t}(0)`;
    return runPixelProgram({
      op: fn,
      inputs: { m },
      output: create(m.shape, 'uint32'),
      coords: true,
      computeType: 'u32',
      helpers: `fn adjacent(a: i32, b: i32) -> bool {
  return a == b || at_m(vec4<i32>(b, a, 0, 0)) > ${zero} || at_m(vec4<i32>(a, b, 0, 0)) > ${zero};
}`,
      body: `let a = c.y;
  let b = c.x;
  if (adjacent(a, b)) { return 1u; }
  if (a == 0 || b == 0) { return 0u; }
  for (var k = 1; k < i32(P.m_shape.x); k++) {
    if (adjacent(a, k) && adjacent(k, b)) { return 1u; }
  }
  return 0u;`,
    });
  },
);
