import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { GpuImage, HostImage } from '../../src';
import { labelHost } from '../../src/execute/labeling';
import { assertClose } from '../support/assert';
import { randomPixels } from '../support/data';
import { setup } from '../support/gpu';
import { oracle } from '../support/oracle';

/** Global operations across tiles (labeling, Otsu, statistics, per-label statistics) and time-lapse mapping, against whole-image results. */
let t: Awaited<ReturnType<typeof setup>>;
const dir = mkdtempSync(join(tmpdir(), 'tessera-global-'));
before(async () => (t = await setup()));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Blobs: smoothed noise above a level, so that components cross tile borders in every direction (and diagonally). */
async function blobs(shape: number[], seed: number) {
  const noise = randomPixels(shape, 'float32', seed, [0, 1]);
  const img = t.push(noise.data, shape);
  const mask = t.greaterConstant(t.gaussianBlur(img, 1.5, 1.5, 1.5), 0.52);
  const m = await t.pull(mask);
  return { data: m.data as Uint8Array, shape, dtype: 'uint8' as const };
}

const maxOf = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
};

/** Whether two labelings are the same partition (a bijection between their labels). */
function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): void {
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    assert.equal(a[i] === 0, b[i] === 0, `background differs at ${i}`);
    if (a[i] === 0) continue;
    if ((ab.get(a[i]) ?? b[i]) !== b[i] || (ba.get(b[i]) ?? a[i]) !== a[i]) assert.fail(`pixel ${i}: label ${a[i]} ↔ ${b[i]} is not one component`);
    ab.set(a[i], b[i]);
    ba.set(b[i], a[i]);
  }
}

test('connected components across tiles: the partition of scipy.ndimage.label, box and sphere, 2D and 3D', async () => {
  for (const [shape, tileShape] of [[[30, 70, 66], [8, 16, 16]], [[150, 140], [32, 32]]] as const) {
    const mask = await blobs([...shape], shape.length);
    const zarr = await t.createZarr(join(dir, `mask${shape.length}.zarr`), [...shape], 'uint8', { chunks: tileShape.map((s) => s) });
    await zarr.write(shape.map(() => 0), mask.data, [...shape]);
    for (const connectivity of ['box', 'sphere'] as const) {
      const structure = connectivity === 'box' ? `np.ones((3,)*${shape.length})` : `ndi.generate_binary_structure(${shape.length}, 1)`;
      const expected = await oracle(`ndi.label(a, structure=${structure})[0].astype(np.uint32)`, { a: mask });
      const { count, output } = await t.tiledConnectedComponentsLabeling(zarr, join(dir, `labels-${shape.length}-${connectivity}.zarr`), { connectivity, tileShape: [...tileShape] });
      const got = await (output as import('../../src').ZarrArray).compute();
      samePartition(got.data as Uint32Array, expected.data as unknown as Uint32Array);
      assert.equal(count, maxOf(expected.data as unknown as Uint32Array), `${connectivity} ${shape.length}D count`);
      assert.equal(maxOf(got.data as Uint32Array), count);
      const unique = new Set(got.data as Uint32Array);
      assert.equal(unique.size, count + 1, 'labels 1..count, each used');
    }
  }
  // The per-tile labeling against scipy too (host two-pass union-find).
  const mask = await blobs([12, 40, 40], 9);
  samePartition(labelHost(mask.data, mask.shape, 'box').labels, (await oracle('ndi.label(a, structure=np.ones((3,3,3)))[0].astype(np.uint32)', { a: mask })).data as unknown as Uint32Array);
});

test('labeling a pipeline\'s result (a blur then a threshold) tile by tile equals labeling the whole image\'s', async () => {
  const noise = randomPixels([20, 60, 60], 'float32', 5, [0, 1]);
  const pipeline = (img: GpuImage) => t.greaterConstant(t.gaussianBlur(img, 1.5, 1.5, 1.5), 0.52);
  const { output } = await t.tiledConnectedComponentsLabeling(noise, undefined, { pipeline, tileShape: [8, 16, 16] });
  const whole = await t.pull(pipeline(t.push(noise.data, noise.shape)));
  samePartition((output as HostImage).data as Uint32Array, labelHost(whole.data, whole.shape, 'box').labels);
});

test('Otsu threshold and statistics from tiles equal the whole image\'s (uint16 and float32)', async () => {
  for (const dtype of ['uint16', 'float32'] as const) {
    const px = randomPixels([16, 80, 72], dtype, 3, dtype === 'uint16' ? [100, 3000] : [-5, 20]);
    // Two populations, so Otsu has something to find.
    for (let i = 0; i < px.data.length; i += 3) px.data[i] = dtype === 'uint16' ? px.data[i] * 3 : px.data[i] * 4;
    const img = t.push(px.data, px.shape);
    const opts = { tileShape: [8, 32, 32] };
    assert.equal(await t.tiledThresholdOtsuValue(px, opts), await t.thresholdOtsuValue(img), dtype);
    const { output } = await t.tiledThresholdOtsu(px, undefined, opts);
    assertClose((output as HostImage).data, (await t.pull(await t.thresholdOtsu(img))).data, { what: `${dtype} binary` });
    const s = await t.tiledStatistics(px, opts);
    const w = await t.statisticsOfAllPixels(img);
    assert.equal(s.pixelCount, w.pixelCount);
    assert.equal(s.minimum, w.minimum);
    assert.equal(s.maximum, w.maximum);
    assertClose([s.mean, s.standardDeviation, s.sum], [w.mean, w.standardDeviation, w.sum], { rtol: 1e-6, what: `${dtype} moments` });
  }
});

test('per-label statistics merged across tiles equal skimage regionprops of the whole image', async () => {
  const mask = await blobs([20, 50, 60], 21);
  const labels = labelHost(mask.data, mask.shape, 'box');
  const intensity = randomPixels(mask.shape, 'float32', 2, [0, 100]);
  const lab = { data: labels.labels, shape: mask.shape };
  const stats = await t.tiledLabelStatistics(lab, intensity, { tileShape: [8, 16, 16] });
  const props = ['label', 'area', 'centroid-2', 'centroid-1', 'centroid-0', 'bbox-2', 'bbox-5', 'mean_intensity', 'intensity_max'];
  const ref = await oracle(
    `np.stack([np.asarray(v, dtype=np.float64) for v in (lambda p: [p[k] for k in ${JSON.stringify(props)}])(__import__('skimage.measure', fromlist=['x']).regionprops_table(l.astype(np.int32), i, properties=['label','area','centroid','bbox','mean_intensity','intensity_max']))])`,
    { l: { data: labels.labels, shape: mask.shape, dtype: 'uint32' }, i: intensity },
  );
  const n = stats.label.length;
  assert.equal(n, labels.count);
  const row = (r: number) => Array.from(ref.data as Float64Array).slice(r * n, (r + 1) * n) as number[];
  assert.deepEqual(stats.label, row(0));
  assert.deepEqual(stats.area, row(1));
  assertClose(stats.centroid_x, row(2), { rtol: 1e-9 });
  assertClose(stats.centroid_z, row(4), { rtol: 1e-9 });
  assert.deepEqual(stats.bbox_min_x, row(5));
  assert.deepEqual(stats.bbox_max_x, row(6).map((v) => v - 1)); // skimage's bbox end is exclusive
  assertClose(stats.mean_intensity, row(7), { rtol: 1e-5 });
  assertClose(stats.max_intensity, row(8), { rtol: 1e-6 });
});

test('mapTimepoints: any pipeline, one time point at a time (a projection, a global threshold), to Zarr and host', async () => {
  const movie = randomPixels([4, 10, 32, 40], 'uint16', 8, [0, 1000]);
  const zarr = await t.createZarr(join(dir, 'movie.zarr'), movie.shape, 'uint16', { chunks: [1, 5, 16, 16], dimensionNames: ['t', 'z', 'y', 'x'] });
  await zarr.write([0, 0, 0, 0], movie.data, movie.shape);
  const mips = await t.mapTimepoints((img: GpuImage) => t.maximumZProjection(img), zarr, join(dir, 'mips.zarr'));
  const got = await (mips as import('../../src').ZarrArray).compute();
  assert.deepEqual(got.shape, [4, 32, 40]);
  const n = 10 * 32 * 40;
  for (let k = 0; k < 4; k++) {
    const one = await t.pull(t.maximumZProjection(t.push(movie.data.subarray(k * n, (k + 1) * n) as Uint16Array, [10, 32, 40])));
    assertClose(got.data.subarray(k * 32 * 40, (k + 1) * 32 * 40), one.data, { what: `t = ${k}` });
  }
  const masks = (await t.mapTimepoints((img: GpuImage) => t.thresholdOtsu(img), movie)) as HostImage;
  assert.deepEqual(masks.shape, [4, 10, 32, 40]);
  assert.equal(masks.dtype, 'uint8');
  await assert.rejects(t.mapTimepoints((img: GpuImage) => t.maximumZProjection(img), randomPixels([20, 20], 'uint8', 1)), /no time axis/);
});
