import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { computeType } from '../../dtype';
import { TesseraError } from '../../errors';
import { runPixelProgram } from '../../codegen/program';
import { checkBoolean, checkNumber, checkSameShape } from '../../validate/arguments';
import { checkMatrix, checkNeighbourCount, checkPointlist } from '../../validate/neighbours';
import { defineOp, image } from '../op';
import { checkMatrixFits } from './label-count';

/**
 * Distance matrices and what is read from them. A distance matrix of two pointlists with N1 and
 * N2 points is float32 of shape [N2 + 1, N1 + 1]: entry [j + 1, i + 1] (row j + 1, column i + 1) is
 * the Euclidean distance of point i of the first list and point j of the second; row and column
 * 0 are 0 and stand for the background, so that distance and touch matrices of the same labels
 * line up. Queries run per column (per point of the first list) over the rows.
 */

/** WGSL: `is_nan(v)` on the bits (compilers may assume `v != v` is false). */
const IS_NAN = 'fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }';

/**
 * WGSL `next_closest(x, first, self_row, prev)`: among rows y >= first, y != self_row, of column x
 * of matrix `m`, the (distance, row) pair that follows `prev` in (distance, row) order, i.e. the
 * next-closest candidate with ties broken by the smaller row (numpy's stable argsort). NaN
 * distances (points that do not exist) are never candidates; row -1 means none is left.
 */
function closestHelpers(): string {
  return `${IS_NAN}
struct Closest { d: f32, y: i32 }
fn next_closest(x: i32, first: i32, self_row: i32, prev: Closest) -> Closest {
  var best = Closest(0.0, -1);
  for (var y = first; y < i32(P.m_shape.y); y++) {
    if (y == self_row) { continue; }
    let d = f32(at_m(vec4<i32>(x, y, 0, 0)));
    if (is_nan(d)) { continue; }
    if (prev.y >= 0 && (d < prev.d || (d == prev.d && y <= prev.y))) { continue; }
    if (best.y < 0 || d < best.d) { best = Closest(d, y); }
  }
  return best;
}`;
}

/**
 * Euclidean distances between all points of two pointlists ([dims, N1] and [dims, N2], rows x,
 * y, z), as float32 [N2 + 1, N1 + 1] with a zero row and column 0 (see the module note).
 * pyclesperanto: `generate_distance_matrix`; scipy: `D[1:, 1:] = cdist(p2.T, p1.T)`.
 */
export const generateDistanceMatrix = defineOp(
  { params: [image('pointlist1'), image('pointlist2')], output: 'float32', tiling: 'global' },
  function generateDistanceMatrix(pointlist1: GpuImage, pointlist2: GpuImage): GpuImage {
    const fn = 'generateDistanceMatrix';
    const a = checkPointlist(pointlist1, `${fn}: pointlist1`);
    const b = checkPointlist(pointlist2, `${fn}: pointlist2`);
    if (a.shape[0] !== b.shape[0]) {
      throw new TesseraError(`${fn}: pointlist1 (${a.shape[0]} dimensions) and pointlist2 (${b.shape[0]} dimensions) must have the same number of rows`);
    }
    checkMatrixFits(fn, b.shape[1] + 1, a.shape[1] + 1, 'distance matrix');
    return runPixelProgram({
      op: fn,
      inputs: { a, b },
      output: create([b.shape[1] + 1, a.shape[1] + 1], 'float32'),
      coords: true,
      computeType: 'f32',
      body: `if (c.x == 0 || c.y == 0) { return 0.0; }
  var sum = 0.0;
  for (var k = 0; k < i32(P.a_shape.y); k++) {
    let d = f32(at_a(vec4<i32>(c.x - 1, k, 0, 0))) - f32(at_b(vec4<i32>(c.y - 1, k, 0, 0)));
    sum += d * d;
  }
  return sqrt(sum);`,
    });
  },
);

/**
 * For each point (column of a distance matrix), the indices of its n closest points (rows),
 * closest first: uint32 of shape [n, columns]. With `ignoreBackground` (default) row and column 0
 * are left out, so the result has N columns (points 1..N) and its entries are label numbers
 * (1..N); without, it has N + 1 columns and row 0 is a candidate. With `ignoreSelf` (default) the
 * diagonal is left out. Ties go to the smaller index; NaN distances are skipped (0 is written
 * where fewer than n finite candidates remain).
 * pyclesperanto_prototype: `n_closest_points`; numpy: `np.argsort(D[1:, 1:], axis=0, kind='stable')[:n] + 1`
 * with the diagonal set to inf.
 */
export const nClosestPoints = defineOp(
  {
    params: [
      image('distanceMatrix'),
      { name: 'n', kind: 'number', integer: true, default: 1, min: 1, soft: [1, 10] },
      { name: 'ignoreBackground', kind: 'boolean', default: true },
      { name: 'ignoreSelf', kind: 'boolean', default: true },
    ],
    output: 'uint32',
    tiling: 'global',
  },
  function nClosestPoints(distanceMatrix: GpuImage, n = 1, ignoreBackground = true, ignoreSelf = true): GpuImage {
    const fn = 'nClosestPoints';
    const m = checkMatrix(distanceMatrix, `${fn}: distanceMatrix`, false);
    checkBoolean(ignoreBackground, `${fn}: ignoreBackground`);
    checkBoolean(ignoreSelf, `${fn}: ignoreSelf`);
    const first = ignoreBackground ? 1 : 0;
    const [rows, columns] = m.shape;
    checkNeighbourCount(n, rows - first - (ignoreSelf && rows === columns ? 1 : 0), `${fn}: n`);
    if (columns - first < 1) throw new TesseraError(`${fn}: distanceMatrix (shape [${m.shape}]) holds no points`);
    return runPixelProgram({
      op: fn,
      inputs: { m },
      output: create([n, columns - first], 'uint32'),
      scalars: { first: { type: 'i32', value: first }, noself: { type: 'i32', value: ignoreSelf ? 1 : 0 } },
      coords: true,
      computeType: 'u32',
      helpers: closestHelpers(),
      body: `let x = c.x + P.first;
  let self_row = select(-1, x, P.noself != 0);
  var found = Closest(0.0, -1);
  for (var r = 0; r <= c.y; r++) {
    found = next_closest(x, P.first, self_row, found);
    if (found.y < 0) { return 0u; }
  }
  return u32(found.y);`,
    });
  },
);

/**
 * For each point (column), the average distance to its n closest other points (rows 1..N,
 * the point itself and the background excluded): float32 [1, N + 1], entry 0 = 0.
 * pyclesperanto_prototype: `average_distance_of_n_closest_points` (= `average_distance_of_n_shortest_distances`);
 * numpy: `np.sort(D[1:, 1:] + diag(inf), axis=0)[:n].mean(axis=0)`.
 */
export const averageDistanceOfNClosestPoints = defineOp(
  {
    params: [image('distanceMatrix'), { name: 'n', kind: 'number', integer: true, default: 1, min: 1, soft: [1, 10] }],
    output: 'float32',
    tiling: 'global',
  },
  function averageDistanceOfNClosestPoints(distanceMatrix: GpuImage, n = 1): GpuImage {
    const fn = 'averageDistanceOfNClosestPoints';
    const m = checkMatrix(distanceMatrix, `${fn}: distanceMatrix`);
    checkNeighbourCount(n, m.shape[0] - 2, `${fn}: n`);
    return runPixelProgram({
      op: fn,
      inputs: { m },
      output: create([1, m.shape[1]], 'float32'),
      scalars: { n: { type: 'i32', value: n } },
      coords: true,
      computeType: 'f32',
      helpers: closestHelpers(),
      body: `if (c.x == 0) { return 0.0; }
  var found = Closest(0.0, -1);
  var sum = 0.0;
  var count = 0;
  for (var r = 0; r < P.n; r++) {
    found = next_closest(c.x, 1, c.x, found);
    if (found.y < 0) { break; }
    sum += found.d;
    count++;
  }
  return select(0.0, sum / f32(count), count > 0);`,
    });
  },
);

/**
 * For each label (column), the average distance to the labels it touches (background excluded;
 * a pair touches where either [a, b] or [b, a] of the touch matrix is non-zero): float32
 * [1, N + 1], 0 for labels without neighbours and for the background.
 * pyclesperanto: `average_distance_of_touching_neighbors`; numpy: `(D * T).sum(0) / T.sum(0)` on the
 * label rows/columns with a symmetric T.
 */
export const averageDistanceOfTouchingNeighbors = defineOp(
  { params: [image('distanceMatrix'), image('touchMatrix')], output: 'float32', tiling: 'global' },
  function averageDistanceOfTouchingNeighbors(distanceMatrix: GpuImage, touchMatrix: GpuImage): GpuImage {
    const fn = 'averageDistanceOfTouchingNeighbors';
    const d = checkMatrix(distanceMatrix, `${fn}: distanceMatrix`);
    const t = checkMatrix(touchMatrix, `${fn}: touchMatrix`);
    checkSameShape(d, t, [`${fn}: distanceMatrix`, 'touchMatrix']);
    const zero = computeType(t.dtype) === 'f32' ? '0.0' : `${computeType(t.dtype)}(0)`;
    return runPixelProgram({
      op: fn,
      inputs: { d, t },
      output: create([1, d.shape[1]], 'float32'),
      coords: true,
      computeType: 'f32',
      body: `if (c.x == 0) { return 0.0; }
  var sum = 0.0;
  var count = 0;
  for (var y = 1; y < i32(P.d_shape.y); y++) {
    if (y == c.x) { continue; }
    if (at_t(vec4<i32>(c.x, y, 0, 0)) > ${zero} || at_t(vec4<i32>(y, c.x, 0, 0)) > ${zero}) {
      sum += f32(at_d(vec4<i32>(c.x, y, 0, 0)));
      count++;
    }
  }
  return select(0.0, sum / f32(count), count > 0);`,
    });
  },
);

/**
 * The proximal neighbours of a distance matrix: uint32 of the same shape with 1 where
 * `minimumDistance <= distance <= maximumDistance` between two different points (off the
 * diagonal; row and column 0, the background, and NaN distances 0) — a touch matrix of labels
 * whose centroids are close, for `touchMatrixToMesh` and `drawMeshBetweenProximalLabels`.
 * pyclesperanto: `generate_proximal_neighbors_matrix(distance_matrix, min_distance, max_distance)`
 * (bounds inclusive); numpy: `(D >= lo) & (D <= hi)` with the diagonal, row 0 and column 0 cleared.
 */
export const generateProximalNeighborsMatrix = defineOp(
  {
    params: [
      image('distanceMatrix'),
      { name: 'minimumDistance', kind: 'number', default: 0, soft: [0, 100] },
      { name: 'maximumDistance', kind: 'number', default: Infinity, doc: 'upper bound (inclusive); Infinity: no bound' },
    ],
    output: 'uint32',
    tiling: 'global',
  },
  function generateProximalNeighborsMatrix(distanceMatrix: GpuImage, minimumDistance = 0, maximumDistance = Infinity): GpuImage {
    const fn = 'generateProximalNeighborsMatrix';
    const m = checkMatrix(distanceMatrix, `${fn}: distanceMatrix`, false);
    const lo = checkNumber(minimumDistance, `${fn}: minimumDistance`);
    const hi = maximumDistance === Infinity ? Infinity : checkNumber(maximumDistance, `${fn}: maximumDistance`);
    if (lo > hi) throw new TesseraError(`${fn}: minimumDistance (${lo}) is larger than maximumDistance (${hi})`);
    // Bounds beyond float32 compare as the largest float32 (so Infinity keeps every finite distance).
    const f32 = (v: number) => Math.max(-3.4028234663852886e38, Math.min(3.4028234663852886e38, v));
    return runPixelProgram({
      op: fn,
      inputs: { m },
      output: create(m.shape, 'uint32'),
      scalars: { lo: { type: 'f32', value: f32(lo) }, hi: { type: 'f32', value: f32(hi) } },
      coords: true,
      computeType: 'u32',
      helpers: IS_NAN,
      body: `if (c.x == 0 || c.y == 0 || c.x == c.y) { return 0u; }
  let d = f32(load_m(i));
  return select(0u, 1u, !is_nan(d) && d >= P.lo && d <= P.hi);`,
    });
  },
);
