import { TesseraError } from '../errors';
import { acquireBuffer, releaseBuffer } from '../gpu/buffer-pool';
import { afterSync, isInvalid, recordClear } from '../gpu/commands';
import { bindingLimit, onDeviceReset } from '../gpu/device';
import { dispatch, kernelFor } from '../gpu/kernel';
import { readRaw } from '../gpu/readback';
import type { GpuImage } from './gpu-image';

/**
 * NaN/±Inf validation of pushed float images, on the GPU: checking 64 MB on the host takes
 * longer than the whole transfer. `push` records a check that counts non-finite pixels and
 * keeps the first index; the next time results come back to the host (`pull`, a statistic,
 * `sync`) the checks are read, and a failed one throws there, before any result is returned.
 */
interface PendingCheck {
  flags: GPUBuffer;
  what: string;
}
let pending: PendingCheck[] = [];
onDeviceReset(() => (pending = []));

const finiteCheckKernel = () =>
  kernelFor('finiteCheck', '', () => ({
    label: 'finiteCheck',
    bindings: [
      { name: 'data', type: 'array<u32>' },
      { name: 'flags', type: 'array<atomic<u32>>', access: 'read_write' },
    ],
    uniforms: [{ name: 'n', type: 'u32' }, { name: 'base', type: 'u32' }],
    workgroupSize: 256,
    // Exponent bits all ones: NaN or infinity (a bit test, immune to fast-math folding).
    body: `if (gid < P.n && (data[gid] & 0x7f800000u) == 0x7f800000u) {
    atomicAdd(&flags[0], 1u);
    atomicMax(&flags[1], 0xffffffffu - (P.base + gid));
  }`,
  }));

/** Records the check of a float32 image that `what` (e.g. "push(shape [..], float32)") produced. */
export function checkFinite(image: GpuImage, what: string): void {
  const flags = acquireBuffer(8, `${what}: NaN/Inf check`);
  recordClear(flags, 0, 8);
  // Images larger than one binding are checked range by range (offsets on 256-byte boundaries).
  const step = Math.floor(bindingLimit() / 256) * 256;
  for (let offset = 0; offset < image.storageBytes; offset += step) {
    const size = Math.min(step, image.storageBytes - offset);
    const n = size / 4;
    dispatch(finiteCheckKernel(), [{ buffer: image.buffer, offset, size }, flags], { n, base: offset / 4 }, Math.ceil(n / 256));
  }
  pending.push({ flags, what });
}

afterSync(() => (pending.length === 0 ? undefined : readChecks()));

async function readChecks(): Promise<void> {
  const checks = pending;
  pending = [];
  const results = await Promise.all(checks.map((c) => readRaw(c.flags, 8)));
  // A check whose batch failed read nothing: the failure itself is reported by the readback.
  const failed = checks.map((c, k) => ({ c, v: new Uint32Array(results[k]) })).filter(({ c, v }) => v[0] > 0 && !isInvalid(c.flags));
  checks.forEach((c) => releaseBuffer(c.flags));
  if (failed.length > 0) {
    const { c, v } = failed[0];
    throw new TesseraError(
      `${c.what}: data contains ${v[0]} NaN/Inf value(s), the first at index ${0xffffffff - v[1]}; NaN/Inf make ` +
        'thresholds and statistics silently wrong. Replace them before pushing, or pass { allowNonFinite: true }. ' +
        'Results computed from this image since the push are discarded.',
    );
  }
}
