import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { setup } from '../support/gpu';

/**
 * Errors that WebGPU reports asynchronously must reach the caller as a TesseraError at the next
 * readback, and no readback may return the stale bytes of work that never ran.
 * Regression tests for issue 9: a custom kernel that does not compile for a dtype used to leave
 * a validation error scope open while its check ran; the failed batch's errors landed there and
 * were dropped, and pulls returned stale bytes from reused buffers.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

test('a custom kernel that does not compile for a dtype: the next pull throws, also for a valid op recorded before it', async () => {
  // sqrt exists for f32 only, so the kernel compiles for float32 (checked now) but not for uint8.
  const root = await t.elementwiseKernel('T x', 'T y', 'y = sqrt(x);', 'root');
  // Fill the pool with recognisable bytes, so that a stale read would show them.
  const junk = t.push(new Float32Array(64).fill(777));
  await t.pull(junk);
  junk.release();
  const a = t.push(new Float32Array([1, 2, 3]));
  const b = t.push(new Uint8Array([4, 9, 16]));
  // One batch: a valid operation, then the kernel for a dtype it does not compile for.
  const valid = t.addImageAndScalar(a, 1);
  const bad = root(b);
  await assert.rejects(t.pull(valid), (e: Error) => e.name === 'TesseraError' && /the kernel does not compile for T = uint8/.test(e.message) && /line 1 of the operation/.test(e.message));
  // The batch never ran: neither image holds a result, and pulling them says so instead of returning stale bytes.
  await assert.rejects(t.pull(valid), (e: Error) => e.name === 'TesseraError' && /holds no valid result/.test(e.message));
  await assert.rejects(t.pull(bad), /holds no valid result/);
  // Work computed from an invalid image is invalid too.
  await assert.rejects(t.pull(t.addImageAndScalar(valid, 1)), /holds no valid result/);
  // The failure is remembered for that dtype; other work runs normally again.
  assert.throws(() => root(t.push(new Uint8Array([1]))), /the kernel does not compile for T = uint8/);
  assert.deepEqual([...(await t.pull(t.addImageAndScalar(t.push(new Float32Array([1, 2])), 1))).data], [2, 3]);
  assert.deepEqual([...(await t.pull(root(t.push(new Float32Array([4, 9]))))).data], [2, 3]);
});

test('an image rewritten by successful work is valid again', async () => {
  const root = await t.elementwiseKernel('T x', 'T y', 'y = sqrt(x);', 'root2');
  const out = t.create([3], 'float32');
  const bad = root(t.push(new Uint16Array([4, 9, 16])));
  t.set(out, 5);
  await assert.rejects(t.sync(), /does not compile for T = uint16/);
  await assert.rejects(t.pull(out), /holds no valid result/);
  await assert.rejects(t.pull(bad), /holds no valid result/);
  t.set(out, 6);
  assert.deepEqual([...(await t.pull(out)).data], [6, 6, 6]);
});

test('buffers of a failed batch, released to the pool and written again, hold valid results', async () => {
  // Once, every threshold after one failed custom kernel threw "holds no valid result": the
  // failed batch's buffers kept their mark in the pool, and work recorded on a push into one of
  // them, before the push's own batch had reported, inherited it.
  const root = await t.elementwiseKernel('T x', 'T y', 'y = sqrt(x);', 'root3');
  const a = t.push(new Float32Array(16).fill(1), [4, 4]);
  root(t.push(new Uint8Array([4])));
  await assert.rejects(async () => t.pull(await t.thresholdOtsu(a)), /does not compile for T = uint8/);
  for (let k = 0; k < 3; k++) {
    const pushed = t.push(new Uint16Array([1, 1, 5, 5, 1, 5, 1, 5, 9]), [3, 3]);
    assert.deepEqual([...(await t.pull(t.addImageAndScalar(pushed, 1))).data], [2, 2, 6, 6, 2, 6, 2, 6, 10]);
    // skimage.filters.threshold_otsu of these values is 1 (a > 1).
    assert.deepEqual([...(await t.pull(await t.thresholdOtsu(pushed))).data], [0, 0, 1, 1, 0, 1, 0, 1, 1]);
  }
});

test('Dawn\'s adapter warnings are not printed, whether stderr is a file or a pipe', async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, openSync, readFileSync, closeSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const script = `require(${JSON.stringify(require.resolve('../../src'))}).init().then(() => console.error('still here'))`;
  // stderr a file (a notebook server's log) ...
  const log = join(mkdtempSync(join(tmpdir(), 'tessera-stderr-')), 'stderr.log');
  const fd = openSync(log, 'w');
  const r = spawnSync(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', fd] });
  closeSync(fd);
  assert.equal(r.status, 0);
  const text = readFileSync(log, 'utf8');
  assert.match(text, /still here/); // stderr works after the adapters were enumerated
  assert.doesNotMatch(text, /artificially reduced/);
  // ... or a pipe (a terminal pipeline, a kernel launched by jupyter_client).
  const p = spawnSync('sh', ['-c', `"${process.execPath}" -e '${script.replace(/'/g, "'\\''")}' 2>&1 | cat`], { encoding: 'utf8' });
  assert.match(p.stdout, /still here/);
  assert.doesNotMatch(p.stdout, /artificially reduced/);
});

test('dawn.node reports a failed submit from inside the call, which gpu/commands.ts relies on to mark its buffers', async () => {
  const { gpuDevice, uncapturedErrorCount, takeGpuErrors } = await import('../../src/gpu/device');
  const device = gpuDevice();
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.dispatchWorkgroups(1); // no pipeline set: the encoder is invalid
  pass.end();
  const before = uncapturedErrorCount();
  device.queue.submit([encoder.finish()]);
  // Counted before any await: were errors reported later, failed batches would go unmarked.
  assert.ok(uncapturedErrorCount() > before, 'the failed submit was not reported synchronously');
  assert.ok(takeGpuErrors().length > 0);
});
