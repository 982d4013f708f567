import { ComputeType, DType, computeType, pixelsPerWord } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { forEachSlab } from '../../array/slabs';
import { acquireBuffer, releaseBuffer } from '../../gpu/buffer-pool';
import { KernelSpec, dispatch, kernelFor } from '../../gpu/kernel';
import { readBuffer } from '../../gpu/readback';
import { Combine, combine, identity, workgroupArrays, workgroupReduce } from '../../codegen/snippets';
import { loader, storageElement } from '../../codegen/wgsl';
import { checkImage } from '../../validate/arguments';
import { type OpInfo, defineOp, image } from '../op';

/**
 * Whole-image reductions. Pass 1 on the GPU: each workgroup reduces a chunk of
 * PIXELS_PER_GROUP pixels to one partial (shared-memory tree). Pass 2 on the host: the few
 * thousand partials are combined in float64, which keeps sums accurate.
 */
type Reduction = Combine;
const WORKGROUP = 256;
// 32 pixels per thread (8 vec4 loads in flight for 32-bit pixels): 16 % less GPU time than 16 on
// an H200 for 256³ float32 and uint16 (64 changed nothing more).
const PER_THREAD = 32;
const PIXELS_PER_GROUP = WORKGROUP * PER_THREAD;

/** Sums accumulate exactly in 32-bit integers for 8/16-bit pixels (8192 * 65535 < 2^32), else in f32. */
function accumulator(op: Reduction, img: GpuImage): ComputeType {
  const t = computeType(img.dtype);
  if (op !== 'sum') return t;
  return pixelsPerWord(img.dtype) > 1 ? t : 'f32';
}

function reductionSpec(p: { op: Reduction; dtype: DType; acc: ComputeType }): KernelSpec {
  const v = { name: 'r', type: p.acc, combine: (a: string, b: string) => combine(p.op, a, b) };
  // Sums of 32-bit integers keep the scalar order of summation, whose float32 rounding the tests pin down.
  if (pixelsPerWord(p.dtype) === 1 && (p.op !== 'sum' || p.dtype === 'float32')) {
    // 32-bit pixels: four per 16-byte load (the image's buffer is a whole number of vec4s; the
    // tail past the last pixel is skipped by index).
    const T = storageElement(p.dtype);
    const lanes = [0, 1, 2, 3].map((e) => `if (j + ${e}u < P.n) { r = ${combine(p.op, 'r', `${p.acc}(q[${e}])`)}; }`).join('\n      ');
    return {
      label: `reduce ${p.op}`,
      bindings: [
        { name: 'a_buf', type: `array<vec4<${T}>>` },
        { name: 'partials', type: `array<${p.acc}>`, access: 'read_write' },
      ],
      uniforms: [{ name: 'n', type: 'u32' }],
      workgroupSize: WORKGROUP,
      declarations: workgroupArrays([v], WORKGROUP),
      body: `let base = group * ${PIXELS_PER_GROUP / 4}u + lid;
  var r: ${p.acc} = ${identity(p.op, p.acc)};
  for (var k = 0u; k < ${PER_THREAD / 4}u; k++) {
    let w = base + k * ${WORKGROUP}u;
    let j = w * 4u;
    if (j < P.n) {
      let q = a_buf[w];
      ${lanes}
    }
  }
  sh_r[lid] = r;
  workgroupBarrier();
  ${workgroupReduce([v], WORKGROUP)}
  if (lid == 0u) { partials[group] = sh_r[0]; }`,
    };
  }
  return {
    label: `reduce ${p.op}`,
    bindings: [
      { name: 'a_buf', type: `array<${storageElement(p.dtype)}>` },
      { name: 'partials', type: `array<${p.acc}>`, access: 'read_write' },
    ],
    uniforms: [{ name: 'n', type: 'u32' }],
    workgroupSize: WORKGROUP,
    declarations: `${loader('a', p.dtype)}\n${workgroupArrays([v], WORKGROUP)}`,
    body: `let base = group * ${PIXELS_PER_GROUP}u + lid;
  var r: ${p.acc} = ${identity(p.op, p.acc)};
  for (var k = 0u; k < ${PER_THREAD}u; k++) {
    let i = base + k * ${WORKGROUP}u;
    if (i < P.n) { r = ${combine(p.op, 'r', `${p.acc}(load_a(i))`)}; }
  }
  sh_r[lid] = r;
  workgroupBarrier();
  ${workgroupReduce([v], WORKGROUP)}
  if (lid == 0u) { partials[group] = sh_r[0]; }`,
  };
}

async function reduce(op: Reduction, name: string, image: GpuImage): Promise<number> {
  checkImage(image, `${name}: image`);
  if (image.large) {
    const parts = await Promise.all(forEachSlab(name, image, (slab) => reduce(op, name, slab)));
    return op === 'sum' ? parts.reduce((a, b) => a + b, 0) : op === 'min' ? Math.min(...parts) : Math.max(...parts);
  }
  const acc = accumulator(op, image);
  const groups = Math.ceil(image.size / PIXELS_PER_GROUP);
  const partials = acquireBuffer(groups * 4, `${name} partial results`);
  try {
    const kernel = kernelFor('reduce', `${op}|${image.dtype}|${acc}`, () => reductionSpec({ op, dtype: image.dtype, acc }));
    dispatch(kernel, [image.buffer, partials], { n: image.size }, groups, name);
    const raw = await readBuffer(partials, groups * 4);
    const values = acc === 'f32' ? new Float32Array(raw) : acc === 'i32' ? new Int32Array(raw) : new Uint32Array(raw);
    return combinePartials(op, values);
  } finally {
    releaseBuffer(partials);
  }
}

/**
 * The partials combined in float64, one loop per reduction: a branch per element over 4,096
 * partials cost ~30 µs on the host, the loops 3-5.
 */
function combinePartials(op: Reduction, values: Float32Array | Int32Array | Uint32Array): number {
  const n = values.length;
  let r: number;
  if (op === 'sum') {
    r = 0;
    for (let k = 0; k < n; k++) r += values[k];
  } else if (op === 'min') {
    r = Infinity;
    for (let k = 0; k < n; k++) r = Math.min(r, values[k]);
  } else {
    r = -Infinity;
    for (let k = 0; k < n; k++) r = Math.max(r, values[k]);
  }
  return r;
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
 * types partial sums of 8192 pixels are float32 (relative error about 1e-7 per partial).
 * pyclesperanto: `sum_of_all_pixels`; numpy: `a.sum(dtype=np.float64)`.
 */
export const sumOfAllPixels = defineOp(HOST_VALUE, function sumOfAllPixels(image: GpuImage): Promise<number> {
  return reduce('sum', 'sumOfAllPixels', image);
});
