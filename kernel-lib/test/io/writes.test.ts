import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertClose } from '../support/assert';
import { randomPixels } from '../support/data';
import { setup } from '../support/gpu';
import { oracle } from '../support/oracle';
import { valueAt } from './resume-worker';

let t: Awaited<ReturnType<typeof setup>>;
let dir: string;
const WORKER = resolve(__dirname, 'resume-worker.js');

before(async () => {
  t = await setup();
  dir = mkdtempSync(join(tmpdir(), 'tessera-writes-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function rejectsWith(fn: () => Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(fn, (e: Error) => {
    assert.equal(e.name, 'TesseraError', `expected a TesseraError, got ${e.name}: ${e.message}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

/** Every file below `root`, relative. */
function filesBelow(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesBelow(root, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

const zarrPython = (path: string) => oracle(`__import__('zarr').open_array(${JSON.stringify(path)}, mode='r')[...]`);

describe('writes a tiled job can trust', () => {
  test("partialChunks: 'refuse' writes whole chunks (edge chunks included) and refuses partial ones, writing nothing", async () => {
    const path = join(dir, 'refuse.zarr');
    const z = await t.createZarr(path, [4, 37, 41], 'uint16', { chunks: [2, 10, 16] });
    const px = randomPixels([2, 7, 9], 'uint16', 4).data;
    await z.write([2, 30, 32], px, [2, 7, 9], { partialChunks: 'refuse' }); // the far corner: whole (edge) chunk
    await rejectsWith(
      () => z.write([0, 5, 0], new Uint16Array(2 * 10 * 16), [2, 10, 16], { partialChunks: 'refuse' }),
      /the box \[0:2, 5:15, 0:16\] covers chunk c\/0\/0\/0 \(\[0:2, 0:10, 0:16\]\) only partly/, /aligned box around it is \[0:2, 0:20, 0:16\]/,
    );
    assert.deepEqual(filesBelow(path).filter((f) => f.startsWith('c')), ['c/1/3/2'], 'only the whole chunk was written');
    const expected = new Uint16Array(4 * 37 * 41);
    for (let k = 0; k < 2; k++) for (let j = 0; j < 7; j++) expected.set(px.subarray((k * 7 + j) * 9, (k * 7 + j + 1) * 9) as Uint16Array, ((2 + k) * 37 + 30 + j) * 41 + 32);
    assertClose((await zarrPython(path)).data, expected, { what: 'zarr-python reads the edge chunk' });
    await rejectsWith(() => z.write([0, 0, 0], px, [2, 7, 9], { partialChunks: 'sometimes' as 'merge' }), /partialChunks must be 'merge' or 'refuse'/);
  });

  test('chunk files are replaced by rename from .tessera/tmp: no temporary files among the chunks, none left behind', async () => {
    const path = join(dir, 'atomic.zarr');
    const z = await t.createZarr(path, [3, 20, 20], 'int16', { chunks: [1, 10, 10], format: 2 });
    await z.write([0, 0, 0], randomPixels([3, 20, 20], 'int16', 5).data);
    await z.write([1, 3, 3], new Int16Array(4).fill(-9), [2, 2]); // merged into a partial chunk
    const files = filesBelow(path);
    assert.deepEqual(files.filter((f) => !f.startsWith('.tessera')).sort(), ['.zarray', '.zattrs', ...[0, 1, 2].flatMap((a) => [0, 1].flatMap((b) => [0, 1].map((c) => `${a}/${b}/${c}`)))].sort());
    assert.deepEqual(readdirSync(join(path, '.tessera', 'tmp')), [], 'temporary files are renamed away');
    const back = await zarrPython(path);
    assert.equal(back.data[(1 * 20 + 3) * 20 + 3], -9);
  });

  test('codec worker threads decode and encode like the main thread (blosc, zstd, none; v2 and v3)', async () => {
    t.setIoThreads(2, { minChunkBytes: 0 });
    try {
      for (const format of [2, 3] as const) {
        for (const codec of ['blosc', 'zstd', 'none'] as const) {
          const path = join(dir, `pool-v${format}-${codec}.zarr`);
          const px = randomPixels([5, 33, 47], 'float32', 6).data;
          const z = await t.createZarr(path, [5, 33, 47], 'float32', { chunks: [2, 16, 16], format, codec });
          await z.write([0, 0, 0], px);
          assertClose((await zarrPython(path)).data, px, { what: `v${format} ${codec} written in threads, read by zarr-python` });
          // From shared memory (as tiles are), whole chunks are cut out on the workers; partial ones on the main thread.
          const shared = new Float32Array(new SharedArrayBuffer(px.byteLength));
          shared.set(px);
          const fromShared = await t.createZarr(`${path}-shared`, [5, 33, 47], 'float32', { chunks: [2, 16, 16], format, codec });
          await fromShared.write([0, 0, 0], shared);
          assertClose((await zarrPython(`${path}-shared`)).data, px, { what: `v${format} ${codec} written from shared memory` });
          const again = await t.openZarr(path, { cacheBytes: 0 });
          assertClose((await again.compute()).data, px, { what: `v${format} ${codec} read in threads` });
          const box = await again.slice([1, 4], [3, 30], [5, 40]).compute();
          assertClose(box.data, (await oracle(`__import__('zarr').open_array(${JSON.stringify(path)}, mode='r')[1:4, 3:30, 5:40]`)).data, { what: 'a box' });
        }
      }
      // A corrupt chunk decoded in a thread still names the chunk.
      const path = join(dir, 'pool-v3-blosc.zarr');
      writeFileSync(join(path, 'c/1/0/2'), 'not blosc');
      await rejectsWith(() => t.openZarr(path).then((z) => z.compute()), /chunk 1,0,2 of .*pool-v3-blosc\.zarr \(.*c\/1\/0\/2\)/, /truncated or corrupt/);
    } finally {
      t.setIoThreads(0);
    }
  });
});

describe('WriteLog: the record a re-run consults', () => {
  test('record, has (exactly or covered by several boxes), pending, refresh, clear; torn lines are ignored', async () => {
    const z = await t.createZarr(join(dir, 'log.zarr'), [4, 40, 40], 'uint8', { chunks: [1, 20, 20] });
    const log = await z.writeLog({ writer: 'task-1' });
    const tiles = [...z.grid.tiles([2, 1, 1])];
    assert.equal(tiles.length, 8);
    await log.record(tiles[0]);
    await log.record(tiles[1]);
    assert.ok(log.has(tiles[0]));
    assert.ok(log.has({ start: [0, 0, 10], size: [2, 20, 20] }), 'covered by two records');
    assert.ok(!log.has({ start: [0, 0, 10], size: [3, 20, 20] }));
    assert.deepEqual(log.pending(tiles), tiles.slice(2));
    // Another writer's records (a torn last line as a killed writer leaves it) are read on refresh.
    const other = await z.writeLog({ writer: 'task-2' });
    await other.record(tiles[5]);
    appendFileSync(other.file, '{"start":[2,0,');
    assert.ok(!log.has(tiles[5]));
    await log.refresh();
    assert.ok(log.has(tiles[5]));
    assert.equal(log.boxes.length, 3);
    // The same writer again: the torn line does not swallow its next record.
    const again = await z.writeLog({ writer: 'task-2' });
    await again.record(tiles[6]);
    await log.refresh();
    assert.equal(log.boxes.length, 4);
    assert.ok(readFileSync(other.file, 'utf8').split('\n').includes(JSON.stringify({ start: tiles[6].start, size: tiles[6].size })), 'the record after the torn line is a line of its own');
    await log.clear();
    assert.equal(log.boxes.length, 0);
    assert.ok(!existsSync(log.folder));
    await assert.rejects(() => z.writeLog({ writer: '../x' }), /writer must be 1 to 200 letters/);
    await assert.rejects(async () => log.record({ start: [0, 0], size: [1, 1] }), /start must be 3 integers/);
    const ro = await t.openZarr(join(dir, 'log.zarr'));
    await rejectsWith(() => ro.writeLog(), /is read-only/);
  });

  test('resume: a writer killed in the middle of a tile, then re-run, writes only the missing tiles; two writers share a job', async () => {
    const shape = [3, 50, 70];
    const expected = new Uint16Array(3 * 50 * 70);
    for (let z = 0, i = 0; z < 3; z++) for (let y = 0; y < 50; y++) for (let x = 0; x < 70; x++) expected[i++] = valueAt(z, y, x);
    const run = (path: string, writer: string, share: number, count: number, killAfter?: number) => {
      const r = spawnSync(process.execPath, [WORKER, path, writer, String(share), String(count), ...(killAfter === undefined ? [] : [String(killAfter)])], { encoding: 'utf8' });
      return { status: r.status, signal: r.signal, out: r.stdout.trim() ? JSON.parse(r.stdout.trim()) : undefined, err: r.stderr };
    };

    const path = join(dir, 'resume.zarr');
    const z = await t.createZarr(path, shape, 'uint16', { chunks: [1, 16, 16] });
    const total = [...z.grid.tiles([1, 1, 2])].length; // 3 x 4 x 3 = 36 tiles
    const killed = run(path, 'worker-a', 0, 1, 10);
    assert.equal(killed.signal, 'SIGKILL', killed.err);
    const log = await z.writeLog({ writer: 'checker' });
    assert.equal(log.boxes.length, 10, 'ten tiles recorded before the kill');
    const resumed = run(path, 'worker-a', 0, 1);
    assert.equal(resumed.status, 0, resumed.err);
    assert.deepEqual(resumed.out, { written: total - 10, skipped: 10 });
    assertClose((await zarrPython(path)).data, expected, { what: 'resumed output, read by zarr-python' });
    const rerun = run(path, 'worker-a', 0, 1);
    assert.deepEqual(rerun.out, { written: 0, skipped: total }, 'a finished job does nothing');

    // Two writers, each a share of the tiles, one killed and re-run.
    const shared = join(dir, 'shared.zarr');
    await t.createZarr(shared, shape, 'uint16', { chunks: [1, 16, 16] });
    assert.equal(run(shared, 'w0', 0, 2, 4).signal, 'SIGKILL');
    assert.equal(run(shared, 'w1', 1, 2).status, 0);
    assert.deepEqual(run(shared, 'w0', 0, 2).out, { written: total / 2 - 4, skipped: 4 });
    assertClose((await zarrPython(shared)).data, expected, { what: 'two writers' });
    const all = await (await t.openZarr(shared, { mode: 'r+' })).writeLog();
    assert.equal(all.boxes.length, total);
    assert.deepEqual(readdirSync(all.folder).sort(), ['w0.jsonl', 'w1.jsonl']);
  });
});
