import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { setup } from '../support/gpu';

let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

test('released buffers are reused by size class', () => {
  const a = t.create([100, 100]);
  const inUse = t.memoryStats().bytesInUse;
  a.release();
  assert.equal(t.memoryStats().bytesInUse, inUse - 40960);
  const pooled = t.memoryStats().bytesPooled;
  const b = t.create([99, 101]); // 39996 bytes: the same 40960-byte class
  assert.equal(t.memoryStats().bytesPooled, pooled - 40960, 'served from the pool');
  b.release();
});

test('`using` releases at the end of the scope', () => {
  const before = t.memoryStats().bytesInUse;
  {
    using img = t.create([64, 64]);
    assert.ok(t.memoryStats().bytesInUse > before);
    assert.equal(img.released, false);
  }
  assert.equal(t.memoryStats().bytesInUse, before);
});

test('over-budget allocations name the size, the budget and the remedy', () => {
  const budget = t.memoryStats().budget;
  t.setMemoryBudget(8 * 1024 * 1024);
  try {
    const keep = t.create([1024, 1024]); // 4 MB
    assert.throws(
      () => t.create([2048, 1024]),
      /create\(shape \[2048,1024\], float32\) needs 8\.0 MB of GPU memory but 4\.0 MB of the 8\.0 MB budget are in use\. Release images .* tiles/,
    );
    assert.throws(() => t.push(new Float32Array(2048 * 1024), [2048, 1024]), /push\(shape \[2048,1024\], float32\) needs 8\.0 MB/);
    keep.release();
    t.create([2048, 1024]).release(); // fits once released
    t.setMemoryBudget(1000);
    assert.throws(() => t.create([300]), /needs 1\.3 kB of GPU memory but [\d.]+ [kM]?B of the 1000 B budget are in use/, 'small sizes are not "0.0 MB"');
    t.setMemoryBudget(8 * 1024 * 1024);
    t.setMemoryBudget(); // back to the default
    assert.equal(t.memoryStats().budget, budget);
    assert.throws(() => t.setMemoryBudget('1e9' as never), /setMemoryBudget: bytes must be a positive number \(or nothing, for the default\); got string "1e9"/);
  } finally {
    t.setMemoryBudget(budget);
  }
});

test('images beyond one GPU binding are large (they run in slabs); beyond the largest buffer they are refused with the limit named', async () => {
  const { maxStorageBufferBindingSize: binding, maxBufferSize } = (await t.info()).limits;
  const side = Math.ceil(Math.sqrt(binding / 4)) + 16;
  const big = t.create([side, side]);
  assert.ok(big.large);
  big.release();
  const tooBig = Math.ceil(Math.sqrt(maxBufferSize / 4)) + 16;
  assert.throws(() => t.create([tooBig, tooBig]), /needs .* MB in one GPU buffer, more than this GPU allows .*maxBufferSize/);
});

test('released images cannot be used; release is idempotent', async () => {
  const a = t.push(new Uint8Array([1, 2, 3]));
  a.release();
  a.release();
  assert.equal(a.released, true);
  await assert.rejects(t.pull(a), /pull: image was released/);
  assert.throws(() => a.buffer, /was released and cannot be used/);
  assert.match(String(a), /\(released\)/);
});

test('pipelines are compiled once per operation and dtype, not per size', async () => {
  await t.pull(t.addImageAndScalar(t.push(new Float32Array(10)), 1));
  const n = (await import('../../src/gpu/kernel')).compiledKernelCount();
  await t.pull(t.addImageAndScalar(t.push(new Float32Array(1000), [10, 100]), 2));
  assert.equal((await import('../../src/gpu/kernel')).compiledKernelCount(), n);
});

test('many operations in one batch stay correct (more passes than one submit holds)', async () => {
  let img = t.push(new Float32Array([0, 1, 2]));
  for (let k = 0; k < 600; k++) img = t.addImageAndScalar(img, 1);
  assert.deepEqual([...(await t.pull(img)).data], [600, 601, 602]);
});
