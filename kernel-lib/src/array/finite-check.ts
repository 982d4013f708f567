import { TesseraError } from '../errors';
import { acquireBuffer, releaseBuffer } from '../gpu/buffer-pool';
import { afterSync, pipelineFor, record, withEncoder } from '../gpu/commands';
import { onDeviceReset } from '../gpu/device';
import { workgroupGrid } from '../codegen/program';
import type { GpuImage } from './gpu-image';
import { readBuffer } from './transfer';

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

const SOURCE = `struct Params { n: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read> data: array<u32>;
@group(0) @binding(1) var<storage, read_write> flags: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> P: Params;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  // Exponent bits all ones: NaN or infinity (bit test, immune to fast-math folding).
  if (i < P.n && (data[i] & 0x7f800000u) == 0x7f800000u) {
    atomicAdd(&flags[0], 1u);
    atomicMax(&flags[1], 0xffffffffu - i);
  }
}`;

/** Records the check of a float32 image that `what` (e.g. "push(shape [..], float32)") produced. */
export function checkFinite(image: GpuImage, what: string): void {
  const flags = acquireBuffer(8, `${what}: NaN/Inf check`);
  withEncoder((e) => e.clearBuffer(flags, 0, 8));
  record({
    pipeline: pipelineFor('finiteCheck', () => SOURCE),
    buffers: [image.buffer, flags],
    uniforms: new Uint32Array([image.size, 0, 0, 0]).buffer,
    workgroups: workgroupGrid(Math.ceil(image.size / 256)),
    label: 'finiteCheck',
  });
  pending.push({ flags, what });
}

afterSync(() => (pending.length === 0 ? undefined : readChecks()));

async function readChecks(): Promise<void> {
  const checks = pending;
  pending = [];
  const results = await Promise.all(checks.map((c) => readBuffer(c.flags, 8)));
  checks.forEach((c) => releaseBuffer(c.flags));
  const failed = checks.map((c, k) => ({ c, v: new Uint32Array(results[k]) })).filter(({ v }) => v[0] > 0);
  if (failed.length > 0) {
    const { c, v } = failed[0];
    throw new TesseraError(
      `${c.what}: data contains ${v[0]} NaN/Inf value(s), the first at index ${0xffffffff - v[1]}; NaN/Inf make ` +
        'thresholds and statistics silently wrong. Replace them before pushing, or pass { allowNonFinite: true }. ' +
        'Results computed from this image since the push are discarded.',
    );
  }
}
