import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gpuPciAddresses, workerGpuEnv } from '../../src/execute/gpu-assignment';

/** A /sys/bus/pci/devices-like folder: one entry per device with its class file. */
function pciTree(devices: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'tessera-pci-'));
  for (const [address, cls] of Object.entries(devices)) {
    mkdirSync(join(root, address));
    writeFileSync(join(root, address, 'class'), `${cls}\n`);
  }
  return root;
}

test('GPUs are the PCI display controllers (VGA and 3D), in bus order', () => {
  const root = pciTree({
    '0000:c1:00.0': '0x030200', '0000:00:00.0': '0x060000', '0000:41:00.0': '0x030200',
    '0000:03:00.0': '0x030000', '0000:02:00.0': '0x020000',
  });
  assert.deepEqual(gpuPciAddresses(root), ['0000:03:00.0', '0000:41:00.0', '0000:c1:00.0']);
  assert.deepEqual(gpuPciAddresses(join(root, 'absent')), []);
});

test('each worker sees one GPU of its own through the device-select layer; one GPU or a user choice sets nothing', () => {
  const gpus = ['0000:18:00.0', '0000:2a:00.0', '00000000:ab:00.0'];
  assert.deepEqual(workerGpuEnv(1, gpus, {}), {
    DRI_PRIME: 'pci-0000_2a_00_0!', MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1', TESSERA_GPU_PCI: '0000:2a:00.0',
  });
  assert.equal(workerGpuEnv(2, gpus, {}).DRI_PRIME, 'pci-0000_ab_00_0!'); // nvidia-smi's 8-digit domain
  assert.equal(workerGpuEnv(3, gpus, {}).DRI_PRIME, 'pci-0000_18_00_0!'); // more workers than GPUs: round robin
  assert.deepEqual(workerGpuEnv(0, gpus.slice(0, 1), {}), {});
  assert.deepEqual(workerGpuEnv(0, gpus, { DRI_PRIME: '1' }), {});
});
