import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ChunkGrid, type Box } from '../../src';
import { assertClose, assertShape } from '../support/assert';
import { randomPixels } from '../support/data';
import { setup } from '../support/gpu';
import { oracle } from '../support/oracle';

let t: Awaited<ReturnType<typeof setup>>;
let dir: string;
let path: string;
const SHAPE = [4, 37, 41];
let pixels: Uint16Array;

before(async () => {
  t = await setup();
  dir = mkdtempSync(join(tmpdir(), 'tessera-lazy-'));
  path = join(dir, 'a.zarr');
  pixels = randomPixels(SHAPE, 'uint16', 3).data as Uint16Array;
  const z = await t.createZarr(path, SHAPE, 'uint16', { chunks: [2, 10, 16], dimensionNames: ['z', 'y', 'x'] });
  await z.write([0, 0, 0], pixels);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** numpy's reading of the array with a selection written in Python. */
const numpy = (selection: string) => oracle(`__import__('zarr').open_array(${JSON.stringify(path)}, mode='r')[${selection}]`);

async function rejectsWith(fn: () => Promise<unknown> | unknown, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(async () => fn(), (e: Error) => {
    assert.equal(e.name, 'TesseraError', `expected a TesseraError, got ${e.name}: ${e.message}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

describe('lazy arrays: slicing reads nothing until asked, then the same pixels as numpy', () => {
  test('indices, negative indices, ranges, open ranges, null; views of views', async () => {
    const z = await t.openZarr(path);
    assert.equal(z.axes, 'zyx');
    const cases: Array<[Parameters<typeof z.slice>, string, number[], string]> = [
      [[1], '1', [37, 41], 'yx'],
      [[-1, [3, 20]], '-1, 3:20', [17, 41], 'yx'],
      [[null, [-10], 5], ':, -10:, 5', [4, 10], 'zy'],
      [[[1, 3], null, [7, 39]], '1:3, :, 7:39', [2, 37, 32], 'zyx'],
      [[undefined, 36], ':, 36', [4, 41], 'zx'],
    ];
    for (const [sel, py, shape, axes] of cases) {
      const view = z.slice(...sel);
      assertShape(view.shape, shape, py);
      assert.equal(view.axes, axes, py);
      assertClose((await view.compute()).data, (await numpy(py)).data, { what: `[${py}]` });
    }
    const inner = z.slice([1, 4], [5, 30]).slice(1, [2, 20], [10, 41]); // = [2, 7:25, 10:41]
    assertShape(inner.shape, [18, 31]);
    assertClose((await inner.compute()).data, (await numpy('2, 7:25, 10:41')).data, { what: 'view of a view' });
    const box = await inner.readRegion([3, 4], [5, 6]);
    assertClose(box.data, (await numpy('2, 10:15, 14:20')).data, { what: 'region of a view' });
    assert.match(String(inner), /^tessera\.LazyArray \[1, 2:20, 10:41\] of tessera\.LazyArray \[1:4, 5:30, :\] of tessera\.ZarrArray/);
    const img = await z.slice(2).toGpu();
    assertClose((await t.pull(img)).data, (await numpy('2')).data, { what: 'a slice on the GPU' });
    img.release();
  });

  test('a view keeps the chunk grid: its offset says where chunks start', async () => {
    const z = await t.openZarr(path);
    assertShape(z.chunkOffset, [0, 0, 0]);
    const view = z.slice([1, 4], [5, 30], [20, 41]);
    assertShape(view.chunks, [2, 10, 16]);
    assertShape(view.chunkOffset, [-1, -5, -4]); // z 1 is 1 into chunk 0; y 5 is 5 into chunk 0; x 20 is 4 into chunk 1
    const grid = view.grid;
    assertShape(grid.gridShape, [2, 3, 2]);
    assert.ok(grid.isAligned({ start: [1, 5, 12], size: [2, 10, 9] }));
    assert.ok(!grid.isAligned({ start: [0, 0, 0], size: [2, 5, 5] }));
    assert.deepEqual(grid.chunkBox([0, 1, 1]), { start: [0, 5, 12], size: [1, 10, 9] });
  });

  test('readRegion into a caller buffer; bad selections and buffers are named', async () => {
    const z = await t.openZarr(path);
    const into = new Uint16Array(2 * 3 * 4);
    const r = await z.readRegion([1, 2, 3], [2, 3, 4], { into });
    assert.equal(r.data, into);
    assertClose(into, (await numpy('1:3, 2:5, 3:7')).data, { what: 'into' });
    await rejectsWith(() => z.readRegion([0, 0, 0], [1, 1, 2], { into: new Uint16Array(3) }), /options\.into must be a Uint16Array of 2 elements/);
    await rejectsWith(() => z.readRegion([0, 0, 0], [1, 1, 2], { into: new Float32Array(2) as unknown as Uint16Array }), /must be a Uint16Array/);
    await rejectsWith(() => z.slice(4), /index 4 is outside dimension 0 of extent 4/);
    await rejectsWith(() => z.slice(0, [5, 5]), /range \[5, 5\] is empty/);
    await rejectsWith(() => z.slice(0, [30, 40]), /outside dimension 1 of extent 37/);
    await rejectsWith(() => z.slice(0, 0, 0), /leaves no dimension/);
    await rejectsWith(() => z.slice(0, 0, 0, 0), /4 selections for an array of 3 dimensions/);
    await rejectsWith(() => z.slice('1' as unknown as number), /selection 0 must be an index/);
  });
});

describe('ChunkGrid: the tiles a planner aligns to', () => {
  /** Every chunk of the grid, each exactly once, over the tiles; no two tiles share a chunk. */
  function assertTilesPartition(grid: ChunkGrid, tiles: Box[]) {
    const seen = new Map<string, number>();
    let cells = 0;
    tiles.forEach((tile, i) => {
      assert.ok(grid.isAligned(tile), `tile ${i} is aligned`);
      cells += tile.size.reduce((a, b) => a * b, 1);
      for (const c of grid.chunksIn(tile)) {
        assert.ok(!seen.has(c.join(',')), `chunk ${c} in tiles ${seen.get(c.join(','))} and ${i}`);
        seen.set(c.join(','), i);
      }
    });
    assert.equal(seen.size, grid.count, 'every chunk once');
    assert.equal(cells, grid.shape.reduce((a, b) => a * b, 1), 'every cell once');
  }

  test('tiles of whole chunks partition the array, also with an offset grid', () => {
    for (const [shape, chunks, offset, per] of [
      [[4, 37, 41], [2, 10, 16], [0, 0, 0], [1, 2, 2]],
      [[4, 37, 41], [2, 10, 16], [0, 0, 0], [5, 5, 5]],
      [[3, 25, 29], [2, 10, 16], [-1, -5, -4], [1, 1, 2]],
      [[100], [7], [0], [3]],
    ] as const) {
      const grid = new ChunkGrid(shape, chunks, offset);
      assertTilesPartition(grid, [...grid.tiles(per)]);
    }
    assert.throws(() => [...new ChunkGrid([4, 4], [2, 2]).tiles([1])], /chunksPerTile must be 2 positive integers/);
  });

  test('align gives the smallest box of whole chunks around a box', () => {
    const grid = new ChunkGrid([4, 37, 41], [2, 10, 16]);
    assert.deepEqual(grid.align({ start: [1, 12, 15], size: [1, 3, 3] }), { start: [0, 10, 0], size: [2, 10, 32] });
    assert.deepEqual(grid.align({ start: [3, 31, 40], size: [1, 6, 1] }), { start: [2, 30, 32], size: [2, 7, 9] });
    assert.ok(grid.isAligned({ start: [2, 30, 32], size: [2, 7, 9] }), 'array edges count as boundaries');
  });
});
