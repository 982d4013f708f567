import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import type { GpuImage, SyntheticEmbryo } from '../../src';
import { limitBindingSize } from '../../src/gpu/device';
import { assertClose } from '../support/assert';
import { rng } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';
import { voronoiLabels } from '../support/labels';
import { oracle, type Pixels } from '../support/oracle';

/**
 * Surface and sub-surface labels by ray casting, and the meshes restricted to them.
 * Oracles: a CPU ray caster in numpy (test/support/surface_ref.py: the same rays, walked by a
 * float64 DDA without bricks); the touch matrix, regionprops centroids and skimage line_nd
 * meshes of test/support/neighbours_ref.py; the synthetic embryos' known shells.
 * Tolerances: first-hit counts exact for the axis directions (rays through voxel centres along
 * the axes: no ties); for oblique directions float32 and float64 walks may part where a ray
 * passes within rounding of a voxel edge, so the counts may differ by a few rays in total
 * (at most 0.05 % of all hits; 0 on lavapipe) — the sets of labels hit by 3 or more rays must agree.
 * Classifications of the embryos, meshes and merges: exact.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const SUPPORT = resolve(__dirname, '../../../test/support');
const namespace = (file: string) => `__import__('types').SimpleNamespace(**__import__('runpy').run_path(${JSON.stringify(`${SUPPORT}/${file}`)}))`;
/** An oracle expression over the helpers of surface_ref.py (`S`) and neighbours_ref.py (`N`). */
const ref = (expr: string, inputs: Record<string, Pixels>) => oracle(`(lambda S, N: ${expr})(${namespace('surface_ref.py')}, ${namespace('neighbours_ref.py')})`, inputs);
const f64 = (data: ArrayLike<number>, shape: number[]): Pixels => ({ data: Float64Array.from(data), shape, dtype: 'float64' });
const u32 = (data: ArrayLike<number>): Pixels => ({ data: Uint32Array.from(data), shape: [data.length], dtype: 'uint32' });
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, k) => v === b[k]);

async function release(...imgs: Array<GpuImage | undefined>) {
  await t.sync();
  for (const i of imgs) if (i && !i.released) i.release();
}

function releaseEmbryo(e: SyntheticEmbryo) {
  for (const img of [e.image, e.nuclei, e.cells, e.mask]) img.release();
}

/** A mask over `shape`: an ellipsoid filling most of the volume with a hole in the middle. */
function holedMask(shape: number[]): Pixels & { data: Uint8Array } {
  const [Z, Y, X] = shape;
  const data = new Uint8Array(Z * Y * X);
  for (let z = 0, i = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++, i++) {
    const r = ((x - X / 2) / (0.48 * X)) ** 2 + ((y - Y / 2) / (0.48 * Y)) ** 2 + ((z - Z / 2) / (0.48 * Z)) ** 2;
    data[i] = r <= 1 && r > 0.04 ? 1 : 0;
  }
  return { data, shape, dtype: 'uint8' };
}

/** GPU first-hit counts against the CPU ray caster: exact, or within the module note's tolerance. */
function compareHits(got: Uint32Array, want: ArrayLike<number | bigint>, exact: boolean, what: string) {
  const w = Array.from(want, Number);
  assert.equal(got.length, w.length, `${what}: table length`);
  if (exact) return assertClose(got, w, { what });
  let diff = 0;
  let total = 0;
  for (let l = 0; l < w.length; l++) {
    diff += Math.abs(got[l] - w[l]);
    total += w[l];
  }
  assert.ok(diff <= 0.0005 * total, `${what}: counts differ by ${diff} rays of ${total}`);
  for (let l = 1; l < w.length; l++) {
    if (w[l] >= 3) assert.ok(got[l] > 0, `${what}: label ${l} met first by ${w[l]} CPU rays, by none on the GPU`);
    if (got[l] >= 3) assert.ok(w[l] > 0, `${what}: label ${l} met first by ${got[l]} GPU rays, by none on the CPU`);
  }
}

describe('directions', () => {
  test('the 6 axis directions, then an even Fibonacci spread over the sphere', async () => {
    const { surfaceDirections } = await import('../../src/ops/surface/rays');
    const d = surfaceDirections(1000);
    assert.equal(d.length, 3 * 1006);
    assert.deepEqual(Array.from(d.slice(0, 18)), [1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1]);
    const n = d.length / 3;
    const nearest: number[] = [];
    for (let i = 6; i < n; i++) {
      assert.ok(Math.abs(Math.hypot(d[3 * i], d[3 * i + 1], d[3 * i + 2]) - 1) < 1e-12, 'unit vectors');
      let best = Infinity;
      for (let j = 6; j < n; j++) if (j !== i) best = Math.min(best, Math.acos(Math.min(1, d[3 * i] * d[3 * j] + d[3 * i + 1] * d[3 * j + 1] + d[3 * i + 2] * d[3 * j + 2])));
      nearest.push(best);
    }
    // Even: every direction's nearest neighbour is at about the spacing of 1,000 points on the sphere (≈ 0.11 rad).
    const spacing = Math.sqrt((4 * Math.PI) / 1000);
    assert.ok(Math.min(...nearest) > 0.5 * spacing && Math.max(...nearest) < 1.5 * spacing, `nearest-neighbour angles ${Math.min(...nearest)}..${Math.max(...nearest)}`);
    // Balanced: the mean direction is near 0.
    const mean = [0, 1, 2].map((k) => nearest.reduce((s, _, i) => s + d[3 * (i + 6) + k], 0) / 1000);
    assert.ok(Math.hypot(...mean) < 0.01, `mean direction ${mean}`);
  });
});

describe('surfaceLabels against the CPU ray caster', () => {
  const labels = voronoiLabels([17, 23, 29], 14, 7, 3);
  const directions = (r: { directions: Float64Array }) => f64(r.directions, [r.directions.length / 3, 3]);

  test('axis directions only: first hits exact; oblique directions within tolerance', async () => {
    const img = pushed(labels);
    const axes = await t.surfaceLabels(img, { directions: 0 });
    assert.equal(axes.directions.length, 18);
    assert.equal(axes.rays, 2 * (17 * 23 + 17 * 29 + 23 * 29));
    const wantAxes = await ref('S.surface_hits(a, d, (1, 1, 1))', { a: labels, d: directions(axes) });
    compareHits(axes.hits, wantAxes.data, true, 'axis directions');
    // The axis rays from each face and the labels' presence.
    const present = await oracle('np.unique(a[a > 0]).astype(np.uint32)', { a: labels });
    assert.deepEqual(Array.from(axes.present), Array.from(present.data as Uint32Array));
    assert.deepEqual(Array.from(axes.labels), Array.from(axes.present).filter((l) => axes.hits[l] > 0));

    const many = await t.surfaceLabels(img, { directions: 40 });
    assert.equal(many.directions.length, 3 * 46);
    compareHits(many.hits, (await ref('S.surface_hits(a, d, (1, 1, 1))', { a: labels, d: directions(many) })).data, false, '46 directions');
    // Small labels in a large empty volume: most rays cross empty bricks in single steps.
    const sparse = voronoiLabels([30, 37, 41], 10, 4, 5);
    const sparseImg = pushed(sparse);
    const s = await t.surfaceLabels(sparseImg, { directions: 30 });
    compareHits(s.hits, (await ref('S.surface_hits(a, d, (1, 1, 1))', { a: sparse, d: directions(s) })).data, false, 'sparse labels, 36 directions');
    await release(img, sparseImg);
  });

  test('with a mask (holes inside, labels outside it) and anisotropic voxels', async () => {
    const img = pushed(labels);
    const maskPx = holedMask(labels.shape);
    const mask = pushed(maskPx);
    for (const voxelSize of [[1, 1, 1], [2.5, 1, 0.8]]) {
      for (const directions of [0, 30]) {
        const got = await t.surfaceLabels(img, { directions, mask, voxelSize });
        const want = await ref(`S.surface_hits(a, d, (${voxelSize},), m)`, { a: labels, d: f64(got.directions, [got.directions.length / 3, 3]), m: maskPx });
        compareHits(got.hits, want.data, directions === 0, `mask, voxel size [${voxelSize}], ${directions} directions`);
      }
    }
    // Other label dtypes read the same labels.
    const small = t.push(labels.data, labels.shape, { dtype: 'uint16' });
    const a = await t.surfaceLabels(img, { directions: 10, mask });
    const b = await t.surfaceLabels(small, { directions: 10, mask });
    assert.deepEqual(Array.from(b.hits), Array.from(a.hits), 'uint16 labels');
    await release(img, mask, small);
  });
});

describe('classifySurfaceLabels on synthetic embryos', () => {
  test('the generator: cells partition the embryo, every nucleus inside its own cell, two shells', async () => {
    const e = t.syntheticEmbryo({ shape: [40, 64, 64], seed: 3 });
    const [cells, nuclei, mask] = await Promise.all([pulled(e.cells), pulled(e.nuclei), pulled(e.mask)]);
    assert.equal(e.outer.length + e.inner.length, e.count);
    assert.ok(e.inner.length >= 10 && e.outer.length > 2 * e.inner.length, `shells of ${e.outer.length} and ${e.inner.length} nuclei`);
    for (let i = 0; i < cells.data.length; i++) {
      if ((cells.data[i] !== 0) !== (mask.data[i] !== 0)) assert.fail(`pixel ${i}: cells and mask disagree`);
      if (nuclei.data[i] !== 0 && nuclei.data[i] !== cells.data[i]) assert.fail(`pixel ${i}: nucleus ${nuclei.data[i]} in cell ${cells.data[i]}`);
    }
    const labelsPresent = await oracle('np.unique(c[c > 0]).astype(np.uint32)', { c: cells });
    assert.equal(labelsPresent.data.length, e.count, 'every nucleus has a cell');
    releaseEmbryo(e);
  });

  test('recovers the outer shell exactly (with and without the embryo mask); the class image maps each label', async () => {
    const e = t.syntheticEmbryo({ shape: [40, 64, 64], seed: 1 });
    for (const mask of [undefined, e.mask]) {
      const c = await t.classifySurfaceLabels(e.cells, { directions: 40, mask });
      assert.deepEqual(Array.from(c.surface), Array.from(e.outer), `surface = outer shell (${mask ? 'mask' : 'no mask'})`);
      assert.deepEqual(Array.from(c.subSurface), Array.from(e.inner), 'sub-surface = inner shell');
      assert.equal(c.classes.dtype, 'uint8');
      const want = await oracle('s[c].astype(np.uint8)', { s: { data: e.shellOf, shape: [e.shellOf.length], dtype: 'uint8' }, c: await pulled(e.cells) });
      assertClose((await pulled(c.classes)).data, want.data, { what: 'class image' });
      c.classes.release();
    }
    // Even the axis directions alone find this shell; a threshold on the hits moves labels to the sub-surface.
    const axes = await t.classifySurfaceLabels(e.cells, { directions: 0 });
    assert.deepEqual(Array.from(axes.surface), Array.from(e.outer));
    const strict = await t.classifySurfaceLabels(e.cells, { directions: 0, minimumHits: 1e9 });
    assert.equal(strict.surface.length, 0);
    assert.equal(strict.subSurface.length, e.count);
    await release(axes.classes, strict.classes);
    releaseEmbryo(e);
  });

  test('anisotropic voxels: the embryo sampled with voxels 2.5 × 1 × 1 (z, y, x)', async () => {
    const e = t.syntheticEmbryo({ shape: [20, 64, 64], voxelSize: [2.5, 1, 1], seed: 2 });
    const c = await t.classifySurfaceLabels(e.cells, { directions: 40, voxelSize: [2.5, 1, 1] });
    assert.deepEqual(Array.from(c.surface), Array.from(e.outer), 'surface = outer shell');
    assert.deepEqual(Array.from(c.subSurface), Array.from(e.inner));
    await release(c.classes);
    releaseEmbryo(e);
  });

  test('a crop through the embryo: the mask keeps the cells cut by the crop out of the surface', async () => {
    const e = t.syntheticEmbryo({ shape: [40, 64, 64], seed: 1 });
    // The lower half (z < 20): inner cells are cut open at the top face.
    const cells = t.crop(e.cells, 0, 0, 0, 64, 64, 20);
    const mask = t.crop(e.mask, 0, 0, 0, 64, 64, 20);
    const inCrop = new Set(Array.from((await pulled(cells)).data).filter((l) => l > 0));
    const outer = Array.from(e.outer).filter((l) => inCrop.has(l));
    const inner = Array.from(e.inner).filter((l) => inCrop.has(l));
    const open = await t.classifySurfaceLabels(cells, { directions: 40 });
    assert.ok(inner.some((l) => open.surface.includes(l)), 'without the mask, cut inner cells are seen from the crop face');
    const masked = await t.classifySurfaceLabels(cells, { directions: 40, mask });
    // With the mask (and the cells filling it), a ray meets a cell first exactly where it steps
    // into it from a voxel outside the mask: the labels face-adjacent to the outside.
    const exposed = await oracle('np.unique(c[ndi.binary_dilation(m == 0) & (c > 0)]).astype(np.uint32)', { c: await pulled(cells), m: await pulled(mask) });
    assert.deepEqual(Array.from(masked.surface), Array.from(exposed.data as Uint32Array), 'surface = the cells next to the outside of the mask');
    const missed = Array.from(masked.subSurface).filter((l) => !inner.includes(l));
    assert.ok(missed.length <= 0.1 * outer.length, `outer cells in the crop not surface: ${missed}`);
    assert.ok(inner.every((l) => masked.subSurface.includes(l)), 'every inner cell is sub-surface');
    await release(cells, mask, open.classes, masked.classes);
    releaseEmbryo(e);
  });

  test('labels that are not consecutive (as from a tiled labelling) classify the same', async () => {
    const e = t.syntheticEmbryo({ shape: [40, 64, 64], seed: 1 });
    const id = (l: number) => 7 + 3 * l;
    const cells = (await pulled(e.cells)).data as Uint32Array;
    const renamed = t.push(cells.map((l) => (l === 0 ? 0 : id(l))), [40, 64, 64]);
    const c = await t.classifySurfaceLabels(renamed, { directions: 20 });
    assert.deepEqual(Array.from(c.surface), Array.from(e.outer, id));
    assert.deepEqual(Array.from(c.subSurface), Array.from(e.inner, id));
    await release(renamed, c.classes);
    releaseEmbryo(e);
  });
});

describe('meshes restricted to surface and sub-surface labels', () => {
  test('touching labels: each mesh equals the touch graph restricted to its set; merged as 1, 2, 3', async () => {
    const e = t.syntheticEmbryo({ shape: [40, 64, 64], seed: 1 });
    const c = await t.classifySurfaceLabels(e.cells, { directions: 20, mask: e.mask });
    const cells = await pulled(e.cells);
    const { centroidsOfLabels } = await import('../../src/ops/measure/statistics');
    const centroids = await pulled(await centroidsOfLabels(e.cells));
    const shape = '(40, 64, 64)';
    const sets = { s: u32(c.surface), u: u32(c.subSurface) };
    const meshes: GpuImage[] = [];
    for (const [name, subset, first, second] of [
      ['surface', c.surface, 's', 's'],
      ['sub-surface', c.subSurface, 'u', 'u'],
      ['between', { from: c.surface, to: c.subSurface }, 's', 'u'],
    ] as const) {
      const mesh = await t.drawMeshBetweenTouchingLabels(e.cells, { subset });
      meshes.push(mesh);
      const want = await ref(`N.mesh_touch(p, S.restrict(N.touch_matrix(a), ${first}, ${second}), ${shape})`, { p: centroids, a: cells, ...sets });
      const got = (await pulled(mesh)).data;
      assertClose(got, want.data, { what: `${name} mesh` });
      assert.ok(got.some((v) => v !== 0), `${name} mesh has lines`);
    }
    // The whole touch mesh is the union of the three.
    const all = await t.drawMeshBetweenTouchingLabels(e.cells);
    const union = await oracle('((s + u + b) > 0).astype(np.float32)', { s: await pulled(meshes[0]), u: await pulled(meshes[1]), b: await pulled(meshes[2]) });
    assertClose((await pulled(all)).data, union.data, { what: 'the touch mesh = union of the restricted meshes' });
    const merged = t.mergeMeshes(meshes[0], meshes[1], meshes[2]);
    const wantMerged = await oracle('np.select([b != 0, u != 0, s != 0], [3, 2, 1], 0).astype(np.float32)', { s: await pulled(meshes[0]), u: await pulled(meshes[1]), b: await pulled(meshes[2]) });
    assertClose((await pulled(merged)).data, wantMerged.data, { what: 'merged mesh' });
    const two = t.mergeMeshes(meshes[0], meshes[1]);
    const wantTwo = await oracle('np.select([u != 0, s != 0], [2, 1], 0).astype(np.float32)', { s: await pulled(meshes[0]), u: await pulled(meshes[1]) });
    assertClose((await pulled(two)).data, wantTwo.data, { what: 'merged surface and sub-surface meshes' });
    // An empty subset draws nothing.
    const none = await t.drawMeshBetweenTouchingLabels(e.cells, { subset: [] });
    assert.equal(await t.maximumOfAllPixels(none), 0);
    await release(c.classes, all, merged, two, none, ...meshes);
    releaseEmbryo(e);
  });

  test('proximal labels in physical units (anisotropic voxels): restricted to each set', async () => {
    const voxelSize = [2, 1, 1];
    const e = t.syntheticEmbryo({ shape: [24, 56, 56], voxelSize, seed: 4 });
    const c = await t.classifySurfaceLabels(e.cells, { directions: 20, voxelSize });
    const { centroidsOfLabels } = await import('../../src/ops/measure/statistics');
    const centroids = await pulled(await centroidsOfLabels(e.nuclei));
    // A distance limit well away from every centroid distance (float32 on the GPU, float64 here).
    const n = e.count;
    const p = centroids.data as Float32Array;
    const distances: number[] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      distances.push(Math.hypot((p[i] - p[j]) * voxelSize[2], (p[n + i] - p[n + j]) * voxelSize[1], (p[2 * n + i] - p[2 * n + j]) * voxelSize[0]));
    }
    let limit = 12;
    while (distances.some((d) => Math.abs(d - limit) < 1e-3)) limit += 0.01;
    const sets = { s: u32(c.surface), u: u32(c.subSurface) };
    for (const [name, subset, first, second] of [
      ['all', undefined, 'a', 'a'],
      ['surface', c.surface, 's', 's'],
      ['sub-surface', c.subSurface, 'u', 'u'],
      ['between', { from: c.subSurface, to: c.surface }, 'u', 's'],
    ] as const) {
      const mesh = await t.drawMeshBetweenProximalLabels(e.nuclei, limit, { subset, voxelSize });
      const all = u32(Array.from({ length: n }, (_, k) => k + 1));
      const want = await ref(`N.mesh_touch(p, S.restrict(S.proximal(p, (${voxelSize},), 0, ${limit}), ${first}, ${second}), (24, 56, 56))`, { p: centroids, a: all, ...sets });
      const got = (await pulled(mesh)).data;
      assertClose(got, want.data, { what: `proximal ${name} mesh` });
      assert.ok(got.some((v) => v !== 0), `proximal ${name} mesh has lines`);
      mesh.release();
    }
    await release(c.classes);
    releaseEmbryo(e);
  });

  test('generateProximalNeighborsMatrix against numpy (bounds inclusive, NaN and the diagonal 0)', async () => {
    const r = rng(7);
    const n = 9;
    const d = new Float32Array((n + 1) * (n + 1)).map((_, k) => (k < n + 1 || k % (n + 1) === 0 ? 0 : Math.round(r() * 20)));
    d[3 * (n + 1) + 4] = NaN;
    const img = t.push(d, [n + 1, n + 1], { allowNonFinite: true });
    for (const [lo, hi] of [[0, Infinity], [5, 12], [3, 3]]) {
      const got = await pulled(t.generateProximalNeighborsMatrix(img, lo, hi));
      const want = await oracle(`(lambda m: (m.__setitem__((slice(0, 1), slice(None)), 0), m.__setitem__((slice(None), slice(0, 1)), 0), np.fill_diagonal(m, 0), m)[-1])(((d >= ${lo}) & (d <= ${hi === Infinity ? 'np.inf' : hi})).astype(np.uint32))`, { d: { data: d, shape: [n + 1, n + 1], dtype: 'float32' } });
      assertClose(got.data, want.data, { what: `proximal matrix [${lo}, ${hi}]` });
    }
    await release(img);
  });
});

describe('bad input', () => {
  const throwsTessera = async (fn: () => unknown, pattern: RegExp) =>
    assert.rejects(async () => fn(), (e: Error) => e.name === 'TesseraError' && pattern.test(e.message));
  const labels = () => t.push(voronoiLabels([6, 7, 8], 4, 4, 9).data, [6, 7, 8]);

  test('2D images, float images, empty label images, 4D images', async () => {
    await throwsTessera(() => t.surfaceLabels(t.push(new Uint32Array(12).fill(1), [3, 4])), /surfaceLabels: labels must be a 3D label image \(z, y, x\); got shape \[3,4\]/);
    await throwsTessera(() => t.classifySurfaceLabels(t.push(new Float32Array(24), [2, 3, 4])), /classifySurfaceLabels: labels must be a label image of an integer dtype/);
    await throwsTessera(() => t.classifySurfaceLabels(t.create([2, 3, 4], 'uint32')), /labels holds no labels \(every pixel is 0\)/);
    await throwsTessera(() => t.surfaceLabels(t.push(new Uint32Array(16).fill(1), [2, 2, 2, 2])), /1 to 3 dimensions/);
    await throwsTessera(() => t.surfaceLabels(t.push(new Int32Array([0, -1, 2, 2, 1, 1, 1, 1]), [2, 2, 2])), /must not be negative/);
    await throwsTessera(() => t.surfaceLabels('labels' as never), /must be a GpuImage/);
  });

  test('options: directions, mask, voxel size, minimum hits', async () => {
    const l = labels();
    await throwsTessera(() => t.surfaceLabels(l, { directions: -1 }), /options.directions must be an integer >= 0/);
    await throwsTessera(() => t.surfaceLabels(l, { directions: 2.5 }), /options.directions must be an integer/);
    await throwsTessera(() => t.surfaceLabels(l, { directions: 1e7 }), /options.directions/);
    await throwsTessera(() => t.surfaceLabels(l, { mask: t.create([6, 7, 9], 'uint8') }), /same shape/);
    await throwsTessera(() => t.surfaceLabels(l, { mask: [1, 2] as never }), /options.mask must be a GpuImage/);
    await throwsTessera(() => t.surfaceLabels(l, { voxelSize: [1, 1] }), /options.voxelSize must be 3 numbers/);
    await throwsTessera(() => t.surfaceLabels(l, { voxelSize: [1, 0, 1] }), /options.voxelSize\[1\] must be a positive finite number/);
    await throwsTessera(() => t.classifySurfaceLabels(l, { minimumHits: 0 }), /options.minimumHits must be an integer >= 1/);
    await throwsTessera(() => t.surfaceLabels(l, 5 as never), /options must be an options object/);
    await throwsTessera(() => t.surfaceLabels(t.push(new Uint32Array([0, 4e8]), [1, 1, 2])), /table of ray counts needs .* more than one GPU buffer holds/);
    const full = t.push(new Uint8Array(150 ** 3).fill(1), [150, 150, 150]);
    await throwsTessera(() => t.surfaceLabels(full, { directions: 100_000 }), /rays \(100006 directions through \[150,150,150\]\) are more than the 32-bit counters hold/);
    limitBindingSize(1024 * 1024);
    try {
      await throwsTessera(() => t.classifySurfaceLabels(full), /labels \(3.2 MB\) is larger than this GPU binds at once \(1.0 MB\); the ray casting needs the whole volume in one binding/);
    } finally {
      limitBindingSize(undefined);
    }
    await release(full);
  });

  test('meshes: subsets and merges', async () => {
    const l = labels();
    await throwsTessera(() => t.drawMeshBetweenTouchingLabels(l, { subset: [1, -2] }), /options.subset\[1\] must be a label id/);
    await throwsTessera(() => t.drawMeshBetweenTouchingLabels(l, { subset: 3 as never }), /options.subset must be an array of label ids/);
    await throwsTessera(() => t.drawMeshBetweenTouchingLabels(l, { subset: { from: [1] } as never }), /array of label ids or \{ from, to \}/);
    await throwsTessera(() => t.drawMeshBetweenProximalLabels(l, -1), /maximumDistance must be >= 0/);
    await throwsTessera(() => t.drawMeshBetweenProximalLabels(l, 5, { voxelSize: [1, 1] }), /options.voxelSize must be 3 numbers/);
    await throwsTessera(async () => t.mergeMeshes(t.create([4, 4]), t.create([4, 5])), /mergeMeshes: surfaceMesh .* same shape/);
    await throwsTessera(async () => t.generateProximalNeighborsMatrix(t.create([3, 3]), 5, 2), /minimumDistance \(5\) is larger than maximumDistance \(2\)/);
  });
});
