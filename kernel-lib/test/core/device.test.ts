import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { setup } from '../support/gpu';

let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

test('info() describes the adapter and its limits', async () => {
  const info = await t.info();
  assert.equal(typeof info.name, 'string');
  assert.ok(info.name.length > 0);
  assert.equal(typeof info.isSoftware, 'boolean');
  assert.ok(info.limits.maxStorageBufferBindingSize >= 128 * 1024 * 1024);
  assert.ok(info.limits.maxComputeWorkgroupsPerDimension >= 65535);
  // CI runs on Mesa lavapipe, a software adapter.
  if (/llvmpipe|lavapipe/i.test(info.name)) assert.equal(info.isSoftware, true);
});

test('listDevices() lists at least the chosen adapter', async () => {
  const devices = await t.listDevices();
  const name = (await t.info()).name;
  assert.ok(devices.some((d) => d.name === name), `${name} in ${devices.map((d) => d.name)}`);
});

test('selectDevice() picks by name and rejects unknown names', async () => {
  const name = (await t.info()).name;
  const chosen = await t.selectDevice(name.slice(0, 6));
  assert.equal(chosen.name, name);
  await assert.rejects(t.selectDevice('no-such-gpu-xyz'), /selectDevice: no adapter matches "no-such-gpu-xyz"; available: /);
  await assert.rejects(t.selectDevice(0 as never), /selectDevice: nameSubstring must be part of an adapter's name \(see listDevices\(\)\); got 0/);
});

test('images from a replaced device are invalid, new ones work', async () => {
  const a = t.push(new Float32Array([1, 2, 3]));
  await t.selectDevice((await t.info()).name);
  assert.equal(a.released, true);
  assert.throws(() => t.addImageAndScalar(a, 1), /addImageAndScalar: input was released/);
  const b = t.push(new Float32Array([1, 2, 3]));
  assert.deepEqual([...(await t.pull(t.addImageAndScalar(b, 1))).data], [2, 3, 4]);
});
