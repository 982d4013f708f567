import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ChunkGrid, product } from '../../src/plan/box';
import { analysePipeline } from '../../src/execute';
import { planTiles } from '../../src/plan';
import { setup } from '../support/gpu';

/** The tiling planner: halos summed from the traced operations, peak memory, and tiles that cover an array exactly once. */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

test('analysePipeline sums the halos of the operations a pipeline calls', async () => {
  const a = await analysePipeline((img) => t.topHatBox(t.gaussianBlur(img, 2, 2, 0), 5, 5, 0), { shape: [40, 300, 300], dtype: 'uint16' });
  assert.deepEqual(a.halo, [0, 8 + 10, 8 + 10]); // Gaussian int(4·2 + 0.5) = 8, top-hat 2 × 5
  assert.equal(a.notTileable, undefined);
  assert.deepEqual(a.globalOperations, []);
  assert.deepEqual(a.calls.map((c) => c.info.name), ['gaussianBlur', 'topHatBox']);
  assert.equal(a.outputDType, 'float32');
  assert.ok(a.preservesShape);
  // uint16 input (2 bytes), float32 blur and top-hat temporaries and output: at least 2 + 4 + 4 bytes per pixel.
  assert.ok(a.bytesPerPixel >= 10, `bytes per pixel ${a.bytesPerPixel}`);
  const branches = await analysePipeline((img) => t.subtractImages(img, t.gaussianBlur(img, 3, 3, 1)), { shape: [10, 50, 50], dtype: 'float32' });
  assert.deepEqual(branches.halo, [4, 12, 12]);
});

test('analysePipeline names what prevents tiling', async () => {
  const otsu = await analysePipeline((img) => t.thresholdOtsu(t.gaussianBlur(img, 1, 1, 1)), { shape: [20, 64, 64], dtype: 'float32' });
  assert.deepEqual(otsu.globalOperations, ['thresholdOtsu']);
  const rot = await analysePipeline((img) => t.rotate(img, 0, 0, 30), { shape: [20, 64, 64], dtype: 'float32' });
  assert.match(rot.notTileable ?? '', /^rotate: /);
  assert.match((await analysePipeline((img) => img, { shape: [4, 4], dtype: 'uint8' })).notTileable ?? '', /calls no Tessera operation/);
  await assert.rejects(analysePipeline((() => 3) as never, { shape: [4, 4], dtype: 'uint8' }), /must return a GpuImage/);
});

function assertCovers(plan: ReturnType<typeof planTiles>, grid?: ChunkGrid): void {
  const seen = new Uint8Array(product(plan.shape));
  const strides = plan.shape.map((_, k) => product(plan.shape.slice(k + 1)));
  for (const tile of plan.tiles) {
    if (grid) assert.ok(grid.isAligned(tile.core), `core ${JSON.stringify(tile.core)} is not whole chunks`);
    tile.core.start.forEach((s, k) => {
      assert.ok(tile.read.start[k] <= s && s + tile.core.size[k] <= tile.read.start[k] + tile.read.size[k]);
      assert.equal(tile.inner.start[k], s - tile.read.start[k]);
      assert.ok(tile.read.start[k] >= Math.max(0, s - plan.margin[k]));
    });
    const walk = (k: number, offset: number) => {
      if (k === plan.shape.length) {
        seen[offset]++;
        return;
      }
      for (let i = tile.core.start[k]; i < tile.core.start[k] + tile.core.size[k]; i++) walk(k + 1, offset + i * strides[k]);
    };
    walk(0, 0);
  }
  assert.ok(seen.every((c) => c === 1), 'every pixel lies in exactly one core');
}

test('planTiles: chunk-aligned cores that cover the array once, within the budget', () => {
  const grid = new ChunkGrid([70, 300, 260], [16, 64, 64]);
  const plan = planTiles({ shape: [70, 300, 260], margin: [2, 18, 18], grid, budgetBytes: 40 * 1024 ** 2, bytesPerPixel: 12 });
  assertCovers(plan, grid);
  assert.ok(plan.peakBytes <= 40 * 1024 ** 2);
  assert.ok(plan.tiles.length > 1);
  assert.ok(plan.efficiency > 0 && plan.efficiency <= 1);
  // A larger budget gives fewer, larger tiles.
  const big = planTiles({ shape: [70, 300, 260], margin: [2, 18, 18], grid, budgetBytes: 400 * 1024 ** 2, bytesPerPixel: 12 });
  assert.ok(big.tiles.length < plan.tiles.length);
  // A chosen tile shape is rounded up to whole chunks.
  const chosen = planTiles({ shape: [70, 300, 260], margin: [0, 0, 0], grid, budgetBytes: 1e12, bytesPerPixel: 4, tileShape: [20, 100, 260] });
  assert.deepEqual(chosen.tileShape, [32, 128, 260]);
  assertCovers(chosen, grid);
});

test('planTiles: leading dimensions one index at a time; clear error when one chunk does not fit', () => {
  const plan = planTiles({ shape: [3, 10, 40, 40], margin: [0, 1, 3, 3], budgetBytes: 1e9, bytesPerPixel: 8 });
  assertCovers(plan);
  assert.ok(plan.tiles.every((tile) => tile.core.size[0] === 1));
  assert.throws(
    () => planTiles({ shape: [64, 512, 512], margin: [4, 4, 4], grid: new ChunkGrid([64, 512, 512], [64, 512, 512]), budgetBytes: 1024 ** 2, bytesPerPixel: 16 }),
    /one chunk \(64×512×512 pixels\) with its margins needs .* more than the budget of 1\.0 MB/,
  );
});
