import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { stage } from '../../src/execute/stages';
import { TileReader } from '../../src/execute/tile-reader';
import { ioThreads, setIoThreads } from '../../src/io/codec-pool';
import { createZarr, openZarr } from '../../src/io/zarr';
import type { LazyArray } from '../../src/io/lazy-array';
import { planTiles } from '../../src/plan/tiles';
import { randomPixels } from '../support/data';

/** The executor's tile reader: tiles with margins, each chunk decoded about once, pixels as readRegion gives them. */
const dir = mkdtempSync(join(tmpdir(), 'tessera-tile-reader-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SHAPE = [20, 96, 80];
const pixels = randomPixels(SHAPE, 'uint16', 3, [0, 60000]);
const CHUNK_BYTES = 10 * 32 * 32 * 2;

async function input(name: string) {
  const z = await createZarr(join(dir, name), SHAPE, 'uint16', { chunks: [10, 32, 32] });
  await z.write([0, 0, 0], pixels.data, SHAPE);
  return openZarr(join(dir, name), { cacheBytes: 0 });
}
const planOf = (margin: number[], a: LazyArray) =>
  planTiles({ shape: a.shape, margin, grid: a.grid, budgetBytes: 1e9, bytesPerPixel: 4, tileShape: [10, 32, 32] });

test('tiles read through the reader equal readRegion, whatever the bound on kept chunks and the order; views too', async () => {
  const whole = await input('a.zarr');
  // A view starting inside chunks reads its chunks as regions (LazyArray.readChunk's default).
  for (const [z, limit] of [[whole, undefined], [whole, 3 * CHUNK_BYTES], [whole, 0], [whole.slice([3, 20], [5, 96], null), undefined]] as const) {
    const { tiles } = planOf([2, 5, 5], z);
    const order = tiles.map((_, n) => n);
    for (const reads of [order, [...order].reverse()]) {
      const reader = new TileReader(z, tiles, order, limit);
      for await (const { n, got } of stage(reads, 3, async (n) => ({ n, got: await reader.read(n) }))) {
        const want = await z.readRegion(tiles[n].read.start, tiles[n].read.size);
        assert.deepEqual(got.shape, want.shape);
        assert.ok(Buffer.from(got.data.buffer).equals(Buffer.from(want.data.buffer)), `tile ${n}, limit ${limit}`);
      }
      if (limit === undefined && reads === order) assert.equal(reader.decoded, z.grid.count, 'each chunk decoded once');
      if (limit === 0) assert.ok(reader.decoded > z.grid.count);
    }
  }
});

test('with codec worker threads, chunks are decoded into shared memory and copied into tiles on the workers: the same pixels', async () => {
  const threads = ioThreads();
  setIoThreads(2, { minChunkBytes: 0 });
  try {
    const z = await input('shared.zarr');
    const { tiles } = planOf([2, 5, 5], z);
    const order = tiles.map((_, n) => n);
    const reader = new TileReader(z, tiles, order);
    let shared = 0;
    for await (const { n, got } of stage(order, 3, async (n) => ({ n, got: await reader.read(n) }))) {
      const want = await z.readRegion(tiles[n].read.start, tiles[n].read.size);
      if (got.data.buffer instanceof SharedArrayBuffer) shared++;
      assert.ok(Buffer.from(got.data.buffer).equals(Buffer.from(want.data.buffer)), `tile ${n}`);
    }
    assert.equal(reader.decoded, z.grid.count, 'each chunk decoded once');
    assert.ok(shared > 0, 'tiles assembled in shared memory');
  } finally {
    setIoThreads(threads);
  }
});

test('tiles sharing no chunk are read as they are; a corrupt chunk fails the tile that needs it', async () => {
  const z = await input('b.zarr');
  const { tiles } = planOf([0, 0, 0], z);
  const reader = new TileReader(z, tiles, tiles.map((_, n) => n));
  for (const [n, tile] of tiles.entries()) assert.deepEqual((await reader.read(n)).data, (await z.readRegion(tile.read.start, tile.read.size)).data);
  assert.equal(reader.decoded, z.chunkCount);

  writeFileSync(join(dir, 'b.zarr', 'c', '1', '1', '1'), 'garbage');
  const broken = await openZarr(join(dir, 'b.zarr'), { cacheBytes: 0 });
  const margin = planOf([2, 5, 5], broken).tiles;
  const r = new TileReader(broken, margin, margin.map((_, n) => n));
  const bad = margin.findIndex((t) => broken.grid.chunksIn(t.read).some((c) => c.join() === '1,1,1'));
  await assert.rejects(r.read(bad), /chunk 1,1,1 of .*b\.zarr/);
  await assert.rejects(r.read(bad), /chunk 1,1,1 of .*b\.zarr/, 'read again, not kept as failed');
});
