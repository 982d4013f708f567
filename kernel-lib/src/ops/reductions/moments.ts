import { ComputeType, DType, computeType, pixelsPerWord } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { forEachSlab } from '../../array/slabs';
import { create } from '../../array/transfer';
import { runPixelProgram } from '../../codegen/program';
import { HIGHEST, LOWEST, ReducedVariable, ZERO, nonZero, workgroupArrays, workgroupReduce } from '../../codegen/snippets';
import { loader, storageElement } from '../../codegen/wgsl';
import { acquireBuffer, releaseBuffer } from '../../gpu/buffer-pool';
import { KernelSpec, dispatch, kernelFor } from '../../gpu/kernel';
import { readBuffer } from '../../gpu/readback';

/**
 * One reduction kernel for the statistics: the image is viewed as `segments` runs of
 * `segmentLength` pixels (one run for whole-image statistics, one per z-slice for per-slice
 * statistics); each workgroup reduces a chunk of CHUNK pixels of one segment to a partial:
 * count, min, max, the exact sum (32-bit integer sums for 8/16-bit pixels, 64-bit integer
 * sums for 32-bit pixels, float32 for float32 pixels), and the sums of the deviations (and
 * their squares) from a shift near the chunk's mean, computed exactly for integer pixels.
 * The host combines the partials in float64 with Chan's formula, which keeps variances
 * accurate for data far from zero. An optional mask restricts the statistics to pixels
 * where the mask is non-zero.
 */
const WORKGROUP = 256;
const PER_THREAD = 16;
const CHUNK = WORKGROUP * PER_THREAD;
const WORDS = 8;

const bits = (t: ComputeType, v: string) => (t === 'u32' ? v : `bitcast<u32>(${v})`);

type Accumulator = ComputeType | 'wide';

/** Accumulator of sums: exact 32-bit integers for 8/16-bit pixels, 64-bit (two words) for 32-bit integers, float32 for float32. */
function accumulator(d: DType): Accumulator {
  if (d === 'float32') return 'f32';
  return pixelsPerWord(d) > 1 ? computeType(d) : 'wide';
}

function momentsSpec({ d, maskType }: { d: DType; maskType?: DType }): KernelSpec {
  const t = computeType(d);
  const acc = accumulator(d);
  const accType = acc === 'wide' ? 'vec2<u32>' : acc;
  const zero = acc === 'wide' ? 'vec2<u32>(0u, 0u)' : ZERO[acc];
  // Add a pixel value / two partial sums; convert a sum to f32.
  const addValue = acc === 'wide' ? (s: string, v: string) => `add64(${s}, widen(${v}))` : (s: string, v: string) => `${s} + ${acc}(${v})`;
  const addSums = acc === 'wide' ? (a: string, b: string) => `add64(${a}, ${b})` : (a: string, b: string) => `${a} + ${b}`;
  const sumF32 = acc === 'wide' ? (s: string) => `wide_f32(${s})` : (s: string) => `f32(${s})`;
  const wideFns =
    acc !== 'wide'
      ? ''
      : `fn add64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> { let lo = a.x + b.x; return vec2<u32>(lo, a.y + b.y + select(0u, 1u, lo < a.x)); }
fn widen(v: ${t}) -> vec2<u32> { return vec2<u32>(${t === 'i32' ? 'bitcast<u32>(v), select(0u, 0xffffffffu, v < 0i)' : 'v, 0u'}); }
fn wide_f32(a: vec2<u32>) -> f32 { return f32(${t === 'i32' ? 'bitcast<i32>(a.y)' : 'a.y'}) * 4294967296.0 + f32(a.x); }`;
  // The shift: the chunk's rounded mean, kept inside [min, max]; deviations from it exact for integers.
  const shift =
    t === 'f32'
      ? 'sh_sum_f[0] / f32(max(count, 1u))'
      : `clamp(${t}(round(sh_sum_f[0] / f32(max(count, 1u)))), sh_min[0], sh_max[0])`;
  const dev =
    t === 'f32'
      ? 'v - m'
      : t === 'u32'
        ? 'select(-f32(m - v), f32(v - m), v >= m)'
        : 'select(-f32(bitcast<u32>(m) - bitcast<u32>(v)), f32(bitcast<u32>(v) - bitcast<u32>(m)), v >= m)';
  const counts: ReducedVariable[] = [
    { name: 'n', type: 'u32', combine: (a, b) => `${a} + ${b}` },
    { name: 'min', type: t, combine: (a, b) => `min(${a}, ${b})` },
    { name: 'max', type: t, combine: (a, b) => `max(${a}, ${b})` },
    { name: 'sum', type: accType, combine: addSums },
  ];
  const deviations: ReducedVariable = { name: 'dev', type: 'vec2<f32>', combine: (a, b) => `${a} + ${b}` };
  return {
    label: 'moments',
    bindings: [
      { name: 'a_buf', type: `array<${storageElement(d)}>` },
      ...(maskType ? [{ name: 'm_buf', type: `array<${storageElement(maskType)}>` }] : []),
      { name: 'partials', type: 'array<u32>', access: 'read_write' },
    ],
    uniforms: [{ name: 'segment', type: 'u32' }, { name: 'chunks', type: 'u32' }, { name: 'groups', type: 'u32' }],
    workgroupSize: WORKGROUP,
    declarations: `${loader('a', d)}
${maskType ? loader('m', maskType) : ''}
${wideFns}
${workgroupArrays([...counts, deviations], WORKGROUP)}
var<workgroup> sh_sum_f: array<f32, 1>;`,
    body: `if (group >= P.groups) { return; }
  let seg = group / P.chunks;
  let start = (group - seg * P.chunks) * ${CHUNK}u;
  let end = min(P.segment, start + ${CHUNK}u);
  let base = seg * P.segment;
  var vals: array<${t}, ${PER_THREAD}>;
  var valid = 0u;
  var n = 0u;
  var mn: ${t} = ${HIGHEST[t]};
  var mx: ${t} = ${LOWEST[t]};
  var sum: ${accType} = ${zero};
  for (var k = 0u; k < ${PER_THREAD}u; k++) {
    let j = start + k * ${WORKGROUP}u + lid;
    var ok = j < end;
    ${maskType ? `if (ok) { ok = ${nonZero(computeType(maskType), 'load_m(base + j)')}; }` : ''}
    if (ok) {
      let v = load_a(base + j);
      mn = min(mn, v);
      mx = max(mx, v);
      sum = ${addValue('sum', 'v')};
      n = n + 1u;
      vals[k] = v;
      valid = valid | (1u << k);
    }
  }
  sh_n[lid] = n; sh_min[lid] = mn; sh_max[lid] = mx; sh_sum[lid] = sum;
  workgroupBarrier();
  ${workgroupReduce(counts, WORKGROUP)}
  if (lid == 0u) { sh_sum_f[0] = ${sumF32('sh_sum[0]')}; }
  workgroupBarrier();
  let count = sh_n[0];
  let m = ${shift};
  var dv = vec2<f32>(0.0, 0.0);
  for (var k = 0u; k < ${PER_THREAD}u; k++) {
    if ((valid & (1u << k)) != 0u) { let v = vals[k]; let d = ${dev}; dv = dv + vec2<f32>(d, d * d); }
  }
  sh_dev[lid] = dv;
  workgroupBarrier();
  ${workgroupReduce([deviations], WORKGROUP)}
  if (lid == 0u) {
    let o = group * ${WORDS}u;
    partials[o] = count;
    partials[o + 1u] = ${bits(t, 'sh_min[0]')};
    partials[o + 2u] = ${bits(t, 'sh_max[0]')};
    ${acc === 'wide' ? 'partials[o + 3u] = sh_sum[0].x; partials[o + 4u] = sh_sum[0].y;' : `partials[o + 3u] = ${bits(acc, 'sh_sum[0]')}; partials[o + 4u] = 0u;`}
    partials[o + 5u] = ${bits(t, 'm')};
    partials[o + 6u] = bitcast<u32>(sh_dev[0].x);
    partials[o + 7u] = bitcast<u32>(sh_dev[0].y);
  }`,
  };
}

export interface Partials {
  buffer: GPUBuffer;
  groups: number;
  chunks: number;
  segments: number;
}

/** Records the moments pass; the caller releases `buffer` once it has been read (or used). */
export function recordMoments(op: string, input: GpuImage, segments: number, mask?: GpuImage): Partials {
  const segment = input.size / segments;
  const chunks = Math.max(1, Math.ceil(segment / CHUNK));
  const groups = chunks * segments;
  const buffer = acquireBuffer(groups * WORDS * 4, `${op} partial results`);
  dispatch(
    kernelFor('moments', { d: input.dtype, maskType: mask?.dtype }, momentsSpec),
    mask ? [input.buffer, mask.buffer, buffer] : [input.buffer, buffer],
    { segment, chunks, groups },
    groups,
    op,
  );
  return { buffer, groups, chunks, segments };
}

/** Statistics of one segment (or of the whole image). Undefined values (no pixels) are NaN. */
export interface Moments {
  pixelCount: number;
  minimum: number;
  maximum: number;
  sum: number;
  mean: number;
  /** Population variance (divided by the pixel count), as numpy's `var()`. */
  variance: number;
}

/** Reads the partials and combines them per segment, in float64. */
export async function readMoments(p: Partials, dtype: DType): Promise<Moments[]> {
  let raw: ArrayBuffer;
  try {
    raw = await readBuffer(p.buffer, p.groups * WORDS * 4);
  } finally {
    releaseBuffer(p.buffer);
  }
  const u = new Uint32Array(raw);
  const i = new Int32Array(raw);
  const f = new Float32Array(raw);
  const t = computeType(dtype);
  const acc = accumulator(dtype);
  const value = (k: number, type: ComputeType) => (type === 'u32' ? u[k] : type === 'i32' ? i[k] : f[k]);
  const chunkSum = (o: number, n: number): number => {
    if (acc === 'wide') return (t === 'i32' ? i[o + 4] : u[o + 4]) * 4294967296 + u[o + 3];
    if (acc === 'f32') return n * f[o + 5] + f[o + 6]; // shift-based: more precise than the float32 sum
    return value(o + 3, acc);
  };
  const out: Moments[] = [];
  for (let s = 0; s < p.segments; s++) {
    let n = 0;
    let mn = Infinity;
    let mx = -Infinity;
    let sum = 0;
    const parts: Array<[number, number, number]> = [];
    for (let c = 0; c < p.chunks; c++) {
      const o = (s * p.chunks + c) * WORDS;
      const cn = u[o];
      if (cn === 0) continue;
      n += cn;
      mn = Math.min(mn, value(o + 1, t));
      mx = Math.max(mx, value(o + 2, t));
      const cs = chunkSum(o, cn);
      sum += cs;
      // M2 about the chunk's mean from the deviations d from the shift: sum d^2 - (sum d)^2 / n.
      const s1 = f[o + 6];
      parts.push([cn, cs / cn, Math.max(0, f[o + 7] - (s1 * s1) / cn)]);
    }
    if (n === 0) {
      out.push({ pixelCount: 0, minimum: NaN, maximum: NaN, sum: 0, mean: NaN, variance: NaN });
      continue;
    }
    const mean = sum / n;
    let m2 = 0;
    for (const [cn, cm, cm2] of parts) m2 += cm2 + cn * (cm - mean) * (cm - mean);
    out.push({ pixelCount: n, minimum: mn, maximum: mx, sum, mean, variance: m2 / n });
  }
  return out;
}

/** Whole-image (or masked) statistics in one pass and one readback. */
export async function moments(op: string, input: GpuImage, mask?: GpuImage): Promise<Moments> {
  if (input.large) {
    // Slab by slab, merged on the host (Chan's formula for the variance).
    const parts = await Promise.all(
      forEachSlab(op, input, (slab, tile, [m]) => {
        const inner = tile.inner.start[0] === 0 && tile.inner.size[0] === slab.shape[0];
        if (!inner) throw new Error('internal: moments slabs have no margin');
        return readMoments(recordMoments(op, slab, 1, m), input.dtype).then((r) => r[0]);
      }, { alongside: mask ? [mask] : [] }),
    );
    return mergeMoments(parts);
  }
  return (await readMoments(recordMoments(op, input, 1, mask), input.dtype))[0];
}

/** The moments of the union of disjoint parts. */
export function mergeMoments(parts: readonly Moments[]): Moments {
  const full = parts.filter((p) => p.pixelCount > 0);
  const n = full.reduce((a, p) => a + p.pixelCount, 0);
  if (n === 0) return { pixelCount: 0, minimum: NaN, maximum: NaN, sum: 0, mean: NaN, variance: NaN };
  const sum = full.reduce((a, p) => a + p.sum, 0);
  const mean = sum / n;
  const m2 = full.reduce((a, p) => a + p.variance * p.pixelCount + p.pixelCount * (p.mean - mean) ** 2, 0);
  return {
    pixelCount: n,
    minimum: Math.min(...full.map((p) => p.minimum)),
    maximum: Math.max(...full.map((p) => p.maximum)),
    sum,
    mean,
    variance: m2 / n,
  };
}

function finalizeSpec(t: ComputeType): KernelSpec {
  const value = (w: string) => (t === 'u32' ? w : `bitcast<${t}>(${w})`);
  const vars: ReducedVariable[] = [
    { name: 'min', type: t, combine: (a, b) => `min(${a}, ${b})` },
    { name: 'max', type: t, combine: (a, b) => `max(${a}, ${b})` },
  ];
  return {
    label: 'minmax finalize',
    bindings: [
      { name: 'partials', type: 'array<u32>' },
      { name: 'out_buf', type: `array<${t}>`, access: 'read_write' },
    ],
    uniforms: [{ name: 'groups', type: 'u32' }],
    workgroupSize: WORKGROUP,
    declarations: workgroupArrays(vars, WORKGROUP),
    body: `var mn: ${t} = ${HIGHEST[t]};
  var mx: ${t} = ${LOWEST[t]};
  for (var g = lid; g < P.groups; g += ${WORKGROUP}u) {
    let o = g * ${WORDS}u;
    if (partials[o] > 0u) {
      mn = min(mn, ${value('partials[o + 1u]')});
      mx = max(mx, ${value('partials[o + 2u]')});
    }
  }
  sh_min[lid] = mn;
  sh_max[lid] = mx;
  workgroupBarrier();
  ${workgroupReduce(vars, WORKGROUP)}
  if (lid == 0u) { out_buf[0] = sh_min[0]; out_buf[1] = sh_max[0]; }`,
  };
}

/** The dtype holding an image's values in its compute type, one per 32-bit word. */
export function widenedDType(d: DType): DType {
  const t = computeType(d);
  return t === 'f32' ? 'float32' : t === 'i32' ? 'int32' : 'uint32';
}

/**
 * @internal The image's minimum and maximum as a 2-pixel GPU image (dtype: the input's compute
 * type, uint32 / int32 / float32), computed and kept on the GPU: no readback. Used by
 * operations that need the range before their own pass (histogram, gammaCorrection).
 */
export function gpuMinMax(op: string, input: GpuImage): GpuImage {
  if (input.large) {
    // Each slab's range, folded on the GPU: still no readback.
    const ranges = forEachSlab(op, input, (slab) => gpuMinMax(op, slab));
    let range = ranges[0];
    for (const next of ranges.slice(1)) {
      const both = runPixelProgram({
        op: `${op} range`,
        inputs: { a: range, b: next },
        output: create([2], range.dtype),
        computeType: computeType(range.dtype),
        body: 'if (i == 0u) { return min(load_a(0u), load_b(0u)); }\n  return max(load_a(1u), load_b(1u));',
      });
      range.release();
      next.release();
      range = both;
    }
    return range;
  }
  const p = recordMoments(op, input, 1);
  const t = computeType(input.dtype);
  const out = create([2], widenedDType(input.dtype));
  dispatch(kernelFor('minmaxFinalize', t, finalizeSpec), [p.buffer, out.buffer], { groups: p.groups }, [1, 1, 1], `${op} range`);
  // Recorded work runs in order, so a later user of this pooled buffer writes after we read it.
  releaseBuffer(p.buffer);
  return out;
}

