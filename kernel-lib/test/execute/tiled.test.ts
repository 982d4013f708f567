import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { GpuImage, TiledStats } from '../../src';
import { setNotebookDisplay } from '../../src/execute/progress';
import { assertClose } from '../support/assert';
import { randomPixels } from '../support/data';
import { setup } from '../support/gpu';

/** The host-tiled executor over Zarr: margins from the halos, tiles within the budget, resume, interrupts, progress. */
let t: Awaited<ReturnType<typeof setup>>;
const dir = mkdtempSync(join(tmpdir(), 'tessera-tiled-'));
const progressDir = join(dir, 'progress');
before(async () => {
  t = await setup();
  process.env.TESSERA_PROGRESS_DIR = progressDir;
});
after(() => {
  delete process.env.TESSERA_PROGRESS_DIR;
  rmSync(dir, { recursive: true, force: true });
});

const SHAPE = [20, 96, 80];
const pixels = randomPixels(SHAPE, 'uint16', 7, [0, 4000]);
async function inputZarr(name: string, chunks = [10, 32, 32]) {
  const z = await t.createZarr(join(dir, name), SHAPE, 'uint16', { chunks });
  await z.write([0, 0, 0], pixels.data, SHAPE);
  return t.openZarr(join(dir, name));
}
const wholeImage = async (pipeline: (img: GpuImage) => GpuImage) => {
  const img = t.push(pixels.data, SHAPE);
  const out = pipeline(img);
  const r = await t.pull(out);
  img.release();
  out.release();
  return r;
};
// Gaussian σ=1 (halo 4) then white top-hat radius (2, 2, 1) (halo 2 × radius): float32 out.
const blurTopHat = (img: GpuImage) => t.topHatBox(t.gaussianBlur(img, 1, 1, 1), 2, 2, 1);
// A rank filter on integers: exact.
const minimum = (img: GpuImage) => t.minimumBox(img, 3, 3, 2);
const BUDGET = 1.5 * 1024 ** 2; // below the 300 KB image × the pipeline's ~18 bytes per pixel: several tiles

test('the automatic margin gives the whole-image result; a too small margin gives seams', async () => {
  const input = await inputZarr('in.zarr');
  let stats: TiledStats | undefined;
  const out = await t.tiled(blurTopHat, input, join(dir, 'out.zarr'), { budgetBytes: BUDGET, report: (s) => (stats = s) });
  assert.ok(stats!.tiles > 4, `${stats!.tiles} tiles`);
  assert.deepEqual(stats!.margin, [6, 8, 8]); // Gaussian int(4·1 + 0.5) = 4, top-hat 2 × (1, 2, 2)
  const expected = await wholeImage(blurTopHat);
  const got = await (out as import('../../src').ZarrArray).compute();
  assertClose(got.data, expected.data, { atol: 1e-3, rtol: 1e-5, what: 'tiled vs whole image' });

  const seams = await t.tiled(blurTopHat, input, undefined, { budgetBytes: BUDGET, margin: [2, 3, 3], progress: 'none' });
  const seamData = (seams as import('../../src').HostImage).data;
  let diff = 0;
  for (let i = 0; i < seamData.length; i++) if (Math.abs(seamData[i] - expected.data[i]) > 1e-2) diff++;
  assert.ok(diff > 100, `a too small margin differs at the tile borders (${diff} pixels)`);

  const exact = await t.tiled(minimum, input, undefined, { budgetBytes: BUDGET / 4 });
  assertClose((exact as import('../../src').HostImage).data, (await wholeImage(minimum)).data, { what: 'rank filter, exact' });
});

test('host pixels in, host pixels out; 2D and 4D (t, z, y, x) inputs', async () => {
  const plane = randomPixels([120, 100], 'float32', 3);
  const blur = (img: GpuImage) => t.gaussianBlur(img, 2, 2, 0);
  const got = await t.tiled(blur, plane, undefined, { tileShape: [32, 32] });
  const img = t.push(plane.data, plane.shape);
  assertClose((got as import('../../src').HostImage).data, (await t.pull(blur(img))).data, { atol: 1e-4, rtol: 1e-5 });
  const series = randomPixels([3, 6, 40, 40], 'uint8', 4);
  const max = (img: GpuImage) => t.maximumBox(img, 1, 1, 1);
  const tiles4 = (await t.tiled(max, series, undefined, { tileShape: [1, 6, 16, 16] })) as import('../../src').HostImage;
  for (let k = 0; k < 3; k++) {
    const n = 6 * 40 * 40;
    const one = await t.pull(max(t.push(series.data.subarray(k * n, (k + 1) * n) as Uint8Array, [6, 40, 40])));
    assertClose(tiles4.data.subarray(k * n, (k + 1) * n), one.data, { what: `time point ${k}` });
  }
});

test('an interrupted run resumes: only the missing tiles run, and the output equals an uninterrupted one', async () => {
  const input = await inputZarr('in-resume.zarr');
  const path = join(dir, 'resume.zarr');
  const controller = new AbortController();
  let done = 0;
  const counting = (img: GpuImage) => {
    if (++done === 3) controller.abort(new Error('stop after three tiles'));
    return minimum(img);
  };
  await assert.rejects(t.tiled(counting, input, path, { budgetBytes: BUDGET / 4, signal: controller.signal }), /stop after three tiles/);
  let stats: TiledStats | undefined;
  const out = await t.tiled(counting, input, path, { budgetBytes: BUDGET / 4, report: (s) => (stats = s) });
  assert.ok(stats!.tilesSkipped >= 1 && stats!.tilesSkipped < stats!.tiles, `skipped ${stats!.tilesSkipped} of ${stats!.tiles}`);
  assertClose((await (out as import('../../src').ZarrArray).compute()).data, (await wholeImage(minimum)).data, { what: 'resumed output' });
  // Another pipeline into the same path is refused; overwrite replaces it.
  await assert.rejects(t.tiled(blurTopHat, input, path, { budgetBytes: BUDGET }), /was not written by this job.*overwrite: true/);
  await t.tiled(blurTopHat, input, path, { budgetBytes: BUDGET, overwrite: true });
});

test('progress: notebook display updates and progress records', async () => {
  const shown: Array<{ bundle: Record<string, unknown>; update?: boolean }> = [];
  setNotebookDisplay((bundle, _m, o) => (shown.push({ bundle, update: o.update }), true));
  try {
    await t.tiled(minimum, await inputZarr('in-progress.zarr'), undefined, { budgetBytes: BUDGET / 4, label: 'min filter' });
  } finally {
    setNotebookDisplay(undefined);
  }
  assert.ok(shown.length >= 2 && shown.slice(1).every((s) => s.update));
  assert.match(String(shown.at(-1)!.bundle['text/plain']), /^min filter: (\d+)\/\1 tiles, [\d.]+ MB\/s, done in/);
  assert.match(String(shown.at(-1)!.bundle['text/html']), /<progress value="(\d+)" max="\1"/);
  const jobs = readdirSync(progressDir);
  assert.ok(jobs.length >= 1);
  const last = jobs.map((j) => JSON.parse(readFileSync(join(progressDir, j, 'job.json'), 'utf8'))).find((r) => r.label === 'min filter');
  assert.equal(last.finishedState, 'completed');
  const task = JSON.parse(readFileSync(join(progressDir, last.jobId, 'task-0.json'), 'utf8'));
  assert.equal(task.state, 'completed');
  assert.equal(task.tilesDone, last.tilesTotal);
});

test('bad input: untileable and global pipelines, wrong margins, corrupt chunks name the chunk', async () => {
  await assert.rejects(t.tiled((img: GpuImage) => t.rotate(img, 0, 0, 30), pixels), /cannot be tiled: rotate: .*mapTimepoints/);
  await assert.rejects(t.tiled((img: GpuImage) => t.thresholdOtsu(img), pixels), /calls thresholdOtsu, which needs the whole image.*tiledThresholdOtsu/);
  await assert.rejects(t.tiled(minimum, pixels, undefined, { margin: [1, 2] }), /margin must be .* 3 of them/);
  await assert.rejects(t.tiled(minimum, pixels, undefined, { depth: 0 }), /options\.depth must be a whole number >= 1; got 0/);
  await assert.rejects(t.tiled(minimum, pixels, undefined, { chunkCacheBytes: -1 }), /options\.chunkCacheBytes must be a whole number >= 0; got -1/);
  await assert.rejects(t.tiled(minimum, 42 as never), /input must be a lazy array/);
  await assert.rejects(t.tiled(minimum, pixels, undefined, { budgetBytes: 1000 }), /one chunk .* more than the budget/);
  const input = await inputZarr('corrupt.zarr');
  writeFileSync(join(dir, 'corrupt.zarr', 'c', '1', '1', '1'), 'garbage');
  await assert.rejects(t.tiled(minimum, await t.openZarr(join(dir, 'corrupt.zarr')), undefined, { budgetBytes: BUDGET }), /chunk 1,1,1 of .*corrupt\.zarr.*c\/1\/1\/1/);
  void input;
});
