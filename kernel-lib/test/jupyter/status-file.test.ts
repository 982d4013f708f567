import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as tessera from '../../src';
import { kernelIdOf, kernelStatusDirectory, setCurrentWork, startStatusFile, type KernelStatus } from '../../src/jupyter/status-file';

test('the status file is named after the kernel id of the connection file', () => {
  assert.equal(kernelIdOf('/run/jupyter/kernel-1a2b-3c.json'), '1a2b-3c');
  assert.equal(kernelIdOf('/tmp/other.json'), null);
  assert.equal(kernelStatusDirectory({ JUPYTER_RUNTIME_DIR: '/r' }), '/r/tessera/kernels');
});

test('the kernel reports its device, pool memory and current work, and removes the file when stopped', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-status-'));
  const writer = startStatusFile({ connectionFile: '/x/kernel-abc.json', dir, intervalMs: 60_000 });
  assert.equal(writer.path, path.join(dir, 'abc.json'));
  assert.equal(startStatusFile({ connectionFile: '/x/kernel-abc.json', dir }), writer, 'one writer per file');
  await writer.write();
  let status: KernelStatus = JSON.parse(fs.readFileSync(writer.path, 'utf8'));
  assert.equal(status.version, 1);
  assert.equal(status.kernelId, 'abc');
  assert.equal(status.pid, process.pid);
  assert.equal(status.work, null);
  await tessera.init();
  const img = tessera.create([256, 256]);
  setCurrentWork('tiled gaussianBlur');
  await writer.write();
  status = JSON.parse(fs.readFileSync(writer.path, 'utf8'));
  assert.equal(status.device?.name, (await tessera.info()).name);
  assert.equal(typeof status.device?.isSoftware, 'boolean');
  assert.ok(status.memory!.bytesInUse >= 256 * 256 * 4);
  assert.equal(status.work?.label, 'tiled gaussianBlur');
  img.release();
  setCurrentWork(null);
  writer.stop();
  assert.equal(fs.existsSync(writer.path), false);
});

test('run directly with --adapters it lists the WebGPU adapters as JSON', () => {
  const script = path.join(__dirname, '../../src/jupyter/status-file.js');
  const run = spawnSync(process.execPath, [script, '--adapters'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const { adapters } = JSON.parse(run.stdout);
  assert.ok(adapters.length >= 1);
  assert.equal(typeof adapters[0].name, 'string');
  assert.equal(typeof adapters[0].isSoftware, 'boolean');
});
