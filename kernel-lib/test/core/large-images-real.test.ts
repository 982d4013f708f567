import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { bindingLimit } from '../../src/gpu/device';
import { assertClose } from '../support/assert';
import { setup } from '../support/gpu';

/**
 * Images beyond the adapter's real binding limit (128 MB on lavapipe): the seed's 140×355×710
 * float32 stack (134.6 MB) and a 1 GB volume. Results are compared with the same operations on
 * parts of the image that fit one binding.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

test('the seed\'s 134.6 MB stack: push, Gaussian and top-hat in slabs, equal to the same on parts that fit', async () => {
  const shape = [140, 355, 710];
  const n = shape[0] * shape[1] * shape[2];
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = ((i * 2654435761) % 1000) / 10; // a cheap, reproducible pattern
  const img = t.push(data, shape);
  assert.ok(img.large, `${img.nbytes} bytes should exceed the ${bindingLimit()} byte binding of this adapter`);
  const blurred = t.gaussianBlur(img, 1, 1, 1);
  const hat = t.topHatBox(img, 2, 2, 1);
  assert.ok(blurred.large && hat.large);
  assert.equal(await t.maximumOfAllPixels(hat) > 0, true);
  // Parts around slab boundaries and the volume's ends, computed from crops with enough margin.
  for (const z0 of [0, 40, 69, 100, 132]) {
    const depth = 8;
    const lo = Math.max(0, z0 - 4);
    const hi = Math.min(shape[0], z0 + depth + 4);
    const part = t.crop(img, 0, 0, lo, shape[2], shape[1], hi - lo);
    const wantBlur = t.crop(t.gaussianBlur(part, 1, 1, 1), 0, 0, z0 - lo, shape[2], shape[1], Math.min(depth, shape[0] - z0));
    const wantHat = t.crop(t.topHatBox(part, 2, 2, 1), 0, 0, z0 - lo, shape[2], shape[1], Math.min(depth, shape[0] - z0));
    const gotBlur = t.crop(blurred, 0, 0, z0, shape[2], shape[1], Math.min(depth, shape[0] - z0));
    const gotHat = t.crop(hat, 0, 0, z0, shape[2], shape[1], Math.min(depth, shape[0] - z0));
    assertClose((await t.pull(gotBlur)).data, (await t.pull(wantBlur)).data, { rtol: 1e-6, atol: 1e-4, what: `blur z ${z0}` });
    assertClose((await t.pull(gotHat)).data, (await t.pull(wantHat)).data, { atol: 1e-4, what: `top-hat z ${z0}` });
    [part, wantBlur, wantHat, gotBlur, gotHat].forEach((x) => x.release());
  }
  const back = await t.pull(img);
  assert.equal(back.data.length, n);
  assert.equal(back.data[n - 1], data[n - 1]);
  [img, blurred, hat].forEach((x) => x.release());
});

test('a 1 GB uint8 volume: pointwise work, reductions, projections and a slice', async () => {
  const shape = [1024, 1024, 1024];
  const data = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (let z = 0; z < shape[0]; z++) data.fill(z % 200, z * 1024 * 1024, (z + 1) * 1024 * 1024);
  const img = t.push(data, shape);
  assert.ok(img.large);
  const plus = t.addImageAndScalar(img, 3);
  assert.equal(plus.dtype, 'uint8');
  let expectedSum = 0;
  for (let z = 0; z < shape[0]; z++) expectedSum += ((z % 200) + 3) * 1024 * 1024;
  assert.equal(await t.sumOfAllPixels(plus), expectedSum);
  assert.equal(await t.maximumOfAllPixels(plus), 202);
  const mip = t.maximumZProjection(plus);
  assert.deepEqual(mip.shape, [1024, 1024]);
  assert.ok((await t.pull(mip)).data.every((v) => v === 202));
  const slice = await t.pull(t.copySlice(plus, 777));
  assert.ok(slice.data.every((v) => v === (777 % 200) + 3));
  [img, plus, mip].forEach((x) => x.release());
});
