import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { GpuImage } from '../../src';
import { assertClose, assertShape } from '../support/assert';
import { randomPixels } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';
import { voronoiLabels, withNeighbours } from '../support/labels';
import { oracle, type OracleResult, type Pixels } from '../support/oracle';

/**
 * Neighbour graphs and meshes against numpy/scipy/scikit-image (test/support/neighbours_ref.py):
 * touch pairs from the label image on the CPU, centroids from regionprops, distances from
 * scipy.spatial.distance.cdist, n-closest selections from numpy's stable argsort (on the GPU's
 * own distance matrix, so that ties are decided on the same float32 values), lines from
 * skimage.draw.line_nd(endpoint=True) in float32. Tolerances: matrices, counts, indices, labels
 * and meshes exact; centroids rtol 1e-6; distances and averages rtol 1e-5.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const ref = (expr: string, inputs: Record<string, Pixels>) => oracle(withNeighbours(expr), inputs);
/** An oracle result passed on to the oracle again. */
const px = (r: OracleResult): Pixels => r as unknown as Pixels;

const CASES = {
  '2D': voronoiLabels([37, 53], 14, 9, 3),
  '3D': voronoiLabels([9, 21, 23], 11, 6, 4),
  'gaps 2D': voronoiLabels([31, 29], 9, 8, 5, [4]),
  '1D': voronoiLabels([40], 6, 3, 6),
};

async function release(...imgs: GpuImage[]) {
  await t.sync();
  for (const i of imgs) i.release();
}

describe('touch matrix', () => {
  for (const [name, labels] of Object.entries(CASES)) {
    test(`generateTouchMatrix ${name}`, async () => {
      const img = pushed(labels);
      const m = await t.generateTouchMatrix(img);
      assert.equal(m.dtype, 'uint32');
      const got = await pulled(m);
      const want = await ref('N.touch_matrix(a)', { a: labels });
      assertShape(got.shape, want.shape);
      assertClose(got.data, want.data, { what: `touch matrix ${name}` });
      for (const ignore of [true, false]) {
        const c = await pulled(t.countTouchingNeighbors(m, ignore));
        const expr = ignore ? 'np.where(np.arange(len(t)) == 0, 0, (t[1:, :] > 0).sum(axis=0))[None, :]' : '(t > 0).sum(axis=0)[None, :]';
        assertClose(c.data, (await oracle(expr, { t: px(want) })).data, { what: `counts ${name} ignoreBackground=${ignore}` });
      }
      const nn = await pulled(t.neighborsOfNeighbors(m));
      assertClose(nn.data, (await ref('N.neighbors_of_neighbors(t)', { t: px(want) })).data, { what: `neighbours of neighbours ${name}` });
      await release(img, m);
    });
  }

  test('other label dtypes give the same matrix (uint8, uint16, int32)', async () => {
    const labels = CASES['2D'];
    const want = await pulled(await t.generateTouchMatrix(pushed(labels)));
    for (const dtype of ['uint8', 'uint16', 'int32'] as const) {
      const img = t.push(labels.data, labels.shape, { dtype });
      assertClose((await pulled(await t.generateTouchMatrix(img))).data, want.data, { what: dtype });
    }
  });

  test('an image without labels gives a 1 × 1 matrix', async () => {
    const m = await t.generateTouchMatrix(t.push(new Uint32Array(12), [3, 4]));
    assertShape(m.shape, [1, 1]);
    assert.equal((await pulled(m)).data[0], 0);
  });
});

describe('distance matrix and nearest points', () => {
  test('generateDistanceMatrix of two pointlists (2D, 3D, non-square)', async () => {
    for (const [dims, n1, n2, seed] of [[2, 7, 5, 11], [3, 6, 6, 12], [1, 4, 9, 13]]) {
      const p1 = randomPixels([dims, n1], 'float32', seed, [0, 50]);
      const p2 = randomPixels([dims, n2], 'float32', seed + 100, [0, 50]);
      const d = t.generateDistanceMatrix(pushed(p1), pushed(p2));
      assertShape(d.shape, [n2 + 1, n1 + 1]);
      const want = await ref('N.distance_matrix(p, q)', { p: p1, q: p2 });
      assertClose((await pulled(d)).data, want.data, { rtol: 1e-5, atol: 1e-5, what: `distances ${dims}D` });
    }
  });

  test('nClosestPoints and averageDistanceOfNClosestPoints (random and tied distances)', async () => {
    // A grid of integer points has many equal distances: ties go to the smaller index.
    const grid = new Float32Array(2 * 12);
    for (let k = 0; k < 12; k++) [grid[k], grid[12 + k]] = [k % 4, Math.floor(k / 4)];
    const lists = { random: randomPixels([3, 10], 'float32', 21, [0, 20]), grid: { data: grid, shape: [2, 12], dtype: 'float32' } };
    for (const [name, p] of Object.entries(lists)) {
      const d = t.generateDistanceMatrix(pushed(p), pushed(p));
      const dm = await pulled(d);
      for (const [n, bg, self] of [[1, true, true], [3, true, true], [2, false, true], [2, true, false]] as const) {
        const got = await pulled(t.nClosestPoints(d, n, bg, self));
        const want = await ref(`N.n_closest(d, ${n}, ${bg ? 'True' : 'False'}, ${self ? 'True' : 'False'})`, { d: dm });
        assertShape(got.shape, want.shape, `${name} n=${n}`);
        assertClose(got.data, want.data, { what: `nClosestPoints ${name} n=${n} bg=${bg} self=${self}` });
      }
      for (const n of [1, 4]) {
        const got = await pulled(t.averageDistanceOfNClosestPoints(d, n));
        assertClose(got.data, (await ref(`N.average_n_closest(d, ${n})`, { d: dm })).data, { rtol: 1e-6, what: `average of ${n} closest ${name}` });
      }
    }
  });
});

describe('pointlists', () => {
  test('labelSpots, spotsToPointlist, labelledSpotsToPointlist, pointlistToLabelledSpots (2D and 3D)', async () => {
    for (const shape of [[23, 41], [5, 17, 19]]) {
      const spots = randomPixels(shape, 'uint8', 31 + shape.length, [0, 1.08]); // ~4 % ones
      const img = pushed(spots);
      const labelled = t.labelSpots(img);
      const wantLabels = await ref('N.label_spots(s)', { s: spots });
      const got = await pulled(labelled);
      assertClose(got.data, wantLabels.data, { what: `labelSpots ${shape.length}D` });
      const wantPoints = await ref('N.labelled_spots_to_pointlist(l)', { l: got });
      const p = await t.spotsToPointlist(img);
      assertShape(p.shape, wantPoints.shape);
      assertClose((await pulled(p)).data, wantPoints.data, { what: `spotsToPointlist ${shape.length}D` });
      const back = await t.pointlistToLabelledSpots(p, shape);
      assertClose((await pulled(back)).data, got.data, { what: `pointlistToLabelledSpots ${shape.length}D` });
      // The default shape ends at the largest coordinate.
      const tight = await t.pointlistToLabelledSpots(p);
      const maxima = await oracle('np.array(np.argwhere(l).max(axis=0) + 1, np.int64)', { l: got });
      assertShape(tight.shape, [...maxima.data].map(Number));
    }
  });

  test('a label of several pixels gives its last pixel; a missing label gives NaN', async () => {
    const spots = { data: new Uint32Array([0, 2, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0]), shape: [3, 4], dtype: 'uint32' };
    const p = await pulled(await t.labelledSpotsToPointlist(pushed(spots)));
    const want = await ref('N.labelled_spots_to_pointlist(s)', { s: spots });
    assertClose(p.data, want.data, { what: 'pointlist with a gap' });
  });
});

describe('meshes and maps from label images', () => {
  for (const [name, labels] of Object.entries(CASES)) {
    test(`centroid meshes and neighbour maps ${name}`, async () => {
      const img = pushed(labels);
      const touch = await t.generateTouchMatrix(img);
      const c = await t.centroidsOfLabels(img);
      const cp = await pulled(c);
      assertClose(cp.data, (await ref('N.centroids(a)', { a: labels })).data, { rtol: 1e-6, what: `centroids ${name}` });
      const tm = await pulled(touch);
      const shapeArg = `(${labels.shape.join(', ')},)`;

      const mesh = await t.drawMeshBetweenTouchingLabels(img);
      assertClose((await pulled(mesh)).data, (await ref(`N.mesh_touch(p, t, ${shapeArg})`, { p: cp, t: tm })).data, { what: `touch mesh ${name}` });

      const d = t.generateDistanceMatrix(c, c);
      const dm = await pulled(d);
      const candidates = (await pulled(t.countTouchingNeighbors(touch))).shape[1] - 2;
      for (const n of [1, 2].filter((k) => k <= candidates)) {
        const closest = await pulled(t.nClosestPoints(d, n));
        const nMesh = await t.drawMeshBetweenNClosestLabels(img, n);
        const want = await ref(`N.mesh_index(p, i, ${shapeArg})`, { p: cp, i: closest });
        assertClose((await pulled(nMesh)).data, want.data, { what: `${n}-closest mesh ${name}` });
        const avg = await t.averageDistanceOfNClosestNeighborsMap(img, n);
        const wantAvg = await ref(`N.label_map(a, N.average_n_closest(d, ${n}))`, { a: labels, d: dm });
        assertClose((await pulled(avg)).data, wantAvg.data, { rtol: 1e-5, what: `average distance of ${n} closest map ${name}` });
      }

      const counts = await t.touchingNeighborCountMap(img);
      const wantCounts = await ref('N.label_map(a, np.where(np.arange(len(t)) == 0, 0, (t[1:, :] > 0).sum(axis=0)))', { a: labels, t: tm });
      assertClose((await pulled(counts)).data, wantCounts.data, { what: `touching neighbour count map ${name}` });

      const avgNeighbours = await t.averageNeighborDistanceMap(img);
      // Centroid distances from regionprops + scipy (not from the GPU) for this map.
      const wantNeighbours = await ref('N.label_map(a, N.average_touching(N.distance_matrix(N.centroids(a), N.centroids(a)), N.touch_matrix(a)))', { a: labels });
      assertClose((await pulled(avgNeighbours)).data, wantNeighbours.data, { rtol: 1e-5, atol: 1e-5, what: `average neighbour distance map ${name}` });
      await release(img, touch, c, mesh, d, counts, avgNeighbours);
    });
  }

  test('touchMatrixToMesh and pointIndexListToMesh from random float pointlists', async () => {
    const shape = [40, 50];
    const p = randomPixels([2, 9], 'float32', 41, [0, 39]);
    const tmat = randomPixels([10, 10], 'uint32', 42, [0, 1.3]);
    const mesh = await t.touchMatrixToMesh(pushed(p), pushed(tmat), shape);
    assertClose((await pulled(mesh)).data, (await ref('N.mesh_touch(p, t, (40, 50))', { p, t: tmat })).data, { what: 'touch mesh' });
    const index = randomPixels([2, 9], 'uint32', 43, [0, 9.9]);
    const im = await t.pointIndexListToMesh(pushed(p), pushed(index), shape);
    assertClose((await pulled(im)).data, (await ref('N.mesh_index(p, i, (40, 50))', { p, i: index })).data, { what: 'index mesh' });
    // Half-pixel starts with unit steps (line_nd's floor rule) and integer end points.
    const half = { data: new Float32Array([0.5, 6.5, 2.5, 3, 1.5, 1.5, 9, 9]), shape: [2, 4], dtype: 'float32' };
    const all = { data: new Uint32Array(25).fill(1), shape: [5, 5], dtype: 'uint32' };
    const hm = await t.touchMatrixToMesh(pushed(half), pushed(all), [12, 12]);
    assertClose((await pulled(hm)).data, (await ref('N.mesh_touch(p, t, (12, 12))', { p: half, t: all })).data, { what: 'half-pixel mesh' });
  });
});

describe('bad input', () => {
  const labels = () => pushed(CASES['2D']);
  const throwsTessera = async (fn: () => unknown, pattern: RegExp) =>
    assert.rejects(async () => fn(), (e: Error) => e.name === 'TesseraError' && pattern.test(e.message));

  test('label images: float, 4D, negative labels, not an image', async () => {
    await throwsTessera(() => t.generateTouchMatrix(t.push(new Float32Array(6), [2, 3])), /generateTouchMatrix: labels must be a label image of an integer dtype/);
    await throwsTessera(() => t.generateTouchMatrix(t.create([2, 2, 2, 2], 'uint32')), /1 to 3 dimensions/);
    await throwsTessera(() => t.generateTouchMatrix(t.push(new Int32Array([0, -1, 2, 2]), [2, 2])), /must not be negative/);
    await throwsTessera(() => t.touchingNeighborCountMap([1, 2, 3] as never), /must be a GpuImage/);
    await throwsTessera(() => t.averageNeighborDistanceMap(t.push(new Float32Array(4), [2, 2])), /integer dtype/);
  });

  test('too many labels for one GPU buffer', async () => {
    await throwsTessera(() => t.generateTouchMatrix(t.push(new Uint32Array([0, 4e6]), [2])), /touch matrix needs .* more than one GPU buffer holds/);
  });

  test('pointlists of the wrong shape, mismatched dimensions', async () => {
    const good = pushed(randomPixels([2, 5], 'float32', 51));
    await throwsTessera(async () => t.generateDistanceMatrix(pushed(randomPixels([5, 2], 'float32', 52)), good), /pointlist of shape \[dims, N\].*transposed/);
    await throwsTessera(async () => t.generateDistanceMatrix(t.create([2, 3, 4]), good), /pointlist1 must be a pointlist/);
    await throwsTessera(async () => t.generateDistanceMatrix(pushed(randomPixels([3, 5], 'float32', 53)), good), /same number of rows/);
    await throwsTessera(() => t.touchMatrixToMesh(good, t.create([4, 4], 'uint32'), [10, 10]), /must be \[N \+ 1, N \+ 1\]/);
    await throwsTessera(() => t.touchMatrixToMesh(good, t.create([6, 6], 'uint32'), [10, 10, 10]), /3D mesh needs a pointlist with 3 rows/);
    await throwsTessera(() => t.pointIndexListToMesh(good, t.create([1, 4], 'uint32'), [10, 10]), /one column per point/);
    await throwsTessera(() => t.pointlistToLabelledSpots(good, [10]), /one axis per row/);
    await throwsTessera(() => t.labelledSpotsToPointlist(t.push(new Uint32Array(4), [2, 2])), /holds no spots/);
  });

  test('n larger than the number of points, n not a positive integer, matrices not square', async () => {
    const p = pushed(randomPixels([2, 4], 'float32', 54));
    const d = t.generateDistanceMatrix(p, p);
    await throwsTessera(async () => t.nClosestPoints(d, 4), /nClosestPoints: n \(4\) is larger than the number of other points available \(3\)/);
    await throwsTessera(async () => t.nClosestPoints(d, 0), /n must be an integer >= 1/);
    await throwsTessera(async () => t.nClosestPoints(d, 1.5), /n must be an integer/);
    await throwsTessera(async () => t.averageDistanceOfNClosestPoints(d, 4), /larger than/);
    await throwsTessera(async () => t.countTouchingNeighbors(t.create([3, 4], 'uint32')), /square 2D matrix/);
    await throwsTessera(async () => t.averageDistanceOfTouchingNeighbors(d, t.create([3, 3], 'uint32')), /same shape/);
    await throwsTessera(() => t.drawMeshBetweenNClosestLabels(labels(), 14), /n \(14\) is larger than the number of other labels available \(13\)/);
    await throwsTessera(() => t.averageDistanceOfNClosestNeighborsMap(labels(), -1), /n must be an integer >= 1/);
  });
});
