import { ComputeType, computeType, pixelsPerWord } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { readBuffer } from '../../array/transfer';
import { acquireBuffer, releaseBuffer } from '../../gpu/buffer-pool';
import { pipelineFor, record } from '../../gpu/commands';
import { loader, storageElement } from '../../codegen/wgsl';
import { workgroupGrid } from '../../codegen/program';
import { checkImage } from '../../validate/arguments';
import { type OpInfo, defineOp, image } from '../op';

/**
 * Whole-image reductions. Pass 1 on the GPU: each workgroup reduces a chunk of
 * PIXELS_PER_GROUP pixels to one partial (shared-memory tree). Pass 2 on the host: the few
 * thousand partials are combined in float64, which keeps sums accurate.
 */
type Reduction = 'min' | 'max' | 'sum';
const WORKGROUP = 256;
const PER_THREAD = 16;
const PIXELS_PER_GROUP = WORKGROUP * PER_THREAD;

/** Sums accumulate exactly in 32-bit integers for 8/16-bit pixels (4096 * 65535 < 2^32), else in f32. */
function accumulator(op: Reduction, img: GpuImage): ComputeType {
  const t = computeType(img.dtype);
  if (op !== 'sum') return t;
  return pixelsPerWord(img.dtype) > 1 ? t : 'f32';
}

function source(op: Reduction, img: GpuImage, acc: ComputeType): string {
  const t = computeType(img.dtype);
  const identity =
    op === 'sum' ? `${acc}(0)` : op === 'min'
      ? { f32: 'bitcast<f32>(0x7f7fffffu)', i32: '2147483647i', u32: '4294967295u' }[t]
      : { f32: 'bitcast<f32>(0xff7fffffu)', i32: '-2147483647i - 1i', u32: '0u' }[t];
  const combine = op === 'sum' ? (a: string, b: string) => `${a} + ${b}` : (a: string, b: string) => `${op}(${a}, ${b})`;
  return `struct Params { n: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read> a_buf: array<${storageElement(img.dtype)}>;
@group(0) @binding(1) var<storage, read_write> partials: array<${acc}>;
@group(0) @binding(2) var<uniform> P: Params;
${loader('a', img.dtype)}
var<workgroup> scratch: array<${acc}, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let group = wid.y * nwg.x + wid.x;
  let base = group * ${PIXELS_PER_GROUP}u + lid;
  var r: ${acc} = ${identity};
  for (var k = 0u; k < ${PER_THREAD}u; k++) {
    let i = base + k * ${WORKGROUP}u;
    if (i < P.n) { r = ${combine('r', `${acc}(load_a(i))`)}; }
  }
  scratch[lid] = r;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { scratch[lid] = ${combine('scratch[lid]', 'scratch[lid + s]')}; }
    workgroupBarrier();
  }
  if (lid == 0u) { partials[group] = scratch[0]; }
}`;
}

async function reduce(op: Reduction, name: string, image: GpuImage): Promise<number> {
  checkImage(image, `${name}: image`);
  const acc = accumulator(op, image);
  const groups = Math.ceil(image.size / PIXELS_PER_GROUP);
  const partials = acquireBuffer(groups * 4, `${name} partial results`);
  try {
    const pipeline = pipelineFor(`reduce|${op}|${image.dtype}|${acc}`, () => source(op, image, acc));
    const uniforms = new Uint32Array([image.size, 0, 0, 0]).buffer;
    record({ pipeline, buffers: [image.buffer, partials], uniforms, workgroups: workgroupGrid(groups), label: name });
    const raw = await readBuffer(partials, groups * 4);
    const values = acc === 'f32' ? new Float32Array(raw) : acc === 'i32' ? new Int32Array(raw) : new Uint32Array(raw);
    let r = op === 'sum' ? 0 : op === 'min' ? Infinity : -Infinity;
    for (const v of values) r = op === 'sum' ? r + v : op === 'min' ? Math.min(r, v) : Math.max(r, v);
    return r;
  } finally {
    releaseBuffer(partials);
  }
}

/** The metadata of the whole-image reductions: a host number from every pixel. */
const HOST_VALUE: OpInfo = { params: [image('image')], output: 'none', tiling: 'global' };

/** The smallest pixel value. pyclesperanto: `minimum_of_all_pixels`; numpy: `a.min()`. */
export const minimumOfAllPixels = defineOp(HOST_VALUE, function minimumOfAllPixels(image: GpuImage): Promise<number> {
  return reduce('min', 'minimumOfAllPixels', image);
});

/** The largest pixel value. pyclesperanto: `maximum_of_all_pixels`; numpy: `a.max()`. */
export const maximumOfAllPixels = defineOp(HOST_VALUE, function maximumOfAllPixels(image: GpuImage): Promise<number> {
  return reduce('max', 'maximumOfAllPixels', image);
});

/**
 * The sum of all pixels, as a float64 number. Exact for 8- and 16-bit images; for 32-bit
 * types partial sums of 4096 pixels are float32 (relative error about 1e-7 per partial).
 * pyclesperanto: `sum_of_all_pixels`; numpy: `a.sum(dtype=np.float64)`.
 */
export const sumOfAllPixels = defineOp(HOST_VALUE, function sumOfAllPixels(image: GpuImage): Promise<number> {
  return reduce('sum', 'sumOfAllPixels', image);
});
