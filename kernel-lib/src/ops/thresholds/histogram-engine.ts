import { ComputeType, DType, computeType, dtypeRange } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { forEachSlab } from '../../array/slabs';
import { create, push } from '../../array/transfer';
import { loader, storageElement } from '../../codegen/wgsl';
import { recordClear } from '../../gpu/commands';
import { deviceInfo } from '../../gpu/device';
import { KernelSpec, UniformValues, dispatch, kernelFor } from '../../gpu/kernel';

/**
 * The GPU histogram behind `histogram` and the automatic thresholds. Three ways to bin:
 *
 * - `edges`: an edges buffer of numBins + 1 values; entries 0..n-1 are each bin's inclusive
 *   lower bound, entry n the inclusive upper limit of the last bin (numpy's closed last bin).
 *   A pixel's bin is estimated from the range and corrected against the edges, so the result
 *   is exactly "the bin whose edges hold the value" whatever the GPU's division accuracy.
 *   Integer images get integer edges (a real edge e becomes ceil(e)), compared exactly.
 * - `direct` (integer images): bin = value − offset, one bin per integer (skimage's bincount).
 * - `scaled` (integer images, range on the GPU): bin = floor((x − lo) · n / (hi − lo)) in exact
 *   integer arithmetic (float32 for 32-bit pixels), lo/hi from a GPU min/max buffer.
 *
 * Counting: workgroup-local atomics merged into the global counts when the bins fit in
 * workgroup memory, else global atomics. Each workgroup counts CHUNK pixels.
 */
const WORKGROUP = 256;
const PER_THREAD = 32;
const CHUNK = WORKGROUP * PER_THREAD;

export type BinMode = 'edges' | 'direct' | 'scaled';

/** The type edges are stored and compared in: i32 for 8/16-bit and int32 images (room beyond the dtype's range), u32 for uint32, f32 for float32. */
export function edgeType(d: DType): ComputeType {
  return d === 'float32' ? 'f32' : d === 'uint32' ? 'u32' : 'i32';
}

function edgeDType(d: DType): DType {
  const t = edgeType(d);
  return t === 'f32' ? 'float32' : t === 'u32' ? 'uint32' : 'int32';
}

function localCapacity(): number {
  return Math.min(4096, Math.floor(deviceInfo().limits.maxComputeWorkgroupStorageSize / 4 / 1024) * 1024);
}

function binFunction(d: DType, mode: BinMode): string {
  const t = computeType(d);
  if (mode === 'direct') {
    return t === 'u32'
      ? 'if (x < P.off_u) { return -1; } let k = x - P.off_u; if (k >= P.n) { return -1; } return i32(k);'
      : 'let k = x - P.off_i; if (k < 0i || u32(k) >= P.n) { return -1; } return k;';
  }
  if (mode === 'edges') {
    const et = edgeType(d);
    return `let v = ${et === t ? 'x' : `${et}(x)`};
  let lo = extra[0];
  let hi = extra[P.n];
  if (!(v >= lo && v <= hi)) { return -1; }
  let span = max(f32(hi) - f32(lo), 1e-30);
  var k = i32(clamp(floor((f32(v) - f32(lo)) / span * f32(P.n)), 0.0, f32(P.n - 1u)));
  loop { if (k > 0i && v < extra[k]) { k = k - 1i; } else { break; } }
  loop { if (k < i32(P.n) - 1i && v >= extra[k + 1i]) { k = k + 1i; } else { break; } }
  return k;`;
  }
  // scaled: lo/hi from the min/max buffer unless overridden by the uniforms.
  const lo = t === 'u32' ? 'select(extra[0], P.off_u, P.has_lo == 1u)' : 'select(extra[0], P.off_i, P.has_lo == 1u)';
  const hi = t === 'u32' ? 'select(extra[1], P.hi_u, P.has_hi == 1u)' : 'select(extra[1], P.hi_i, P.has_hi == 1u)';
  const exact = d !== 'uint32' && d !== 'int32';
  return `let lo = ${lo};
  let hi = ${hi};
  if (x < lo || x > hi) { return -1; }
  if (hi == lo) { return i32(P.n / 2u); }
  ${
    exact
      ? 'let k = (u32(x - lo) * P.n) / u32(hi - lo);'
      : 'let k = u32(floor((f32(x) - f32(lo)) * f32(P.n) / (f32(hi) - f32(lo))));'
  }
  return i32(min(k, P.n - 1u));`;
}

function histogramSpec({ d, mode, local }: { d: DType; mode: BinMode; local: number }): KernelSpec {
  const t = computeType(d);
  const extraType = mode === 'edges' ? edgeType(d) : t;
  return {
    label: 'histogram',
    bindings: [
      { name: 'a_buf', type: `array<${storageElement(d)}>` },
      { name: 'counts', type: 'array<atomic<u32>>', access: 'read_write' },
      ...(mode === 'direct' ? [] : [{ name: 'extra', type: `array<${extraType}>` }]),
    ],
    uniforms: [
      { name: 'n', type: 'u32' }, { name: 'pixels', type: 'u32' }, { name: 'groups', type: 'u32' },
      { name: 'off_u', type: 'u32' }, { name: 'off_i', type: 'i32' }, { name: 'hi_u', type: 'u32' }, { name: 'hi_i', type: 'i32' },
      { name: 'has_lo', type: 'u32' }, { name: 'has_hi', type: 'u32' },
    ],
    workgroupSize: WORKGROUP,
    declarations: `${loader('a', d)}
${local > 0 ? `var<workgroup> local_counts: array<atomic<u32>, ${local}>;` : ''}
fn bin_of(x: ${t}) -> i32 {
  ${binFunction(d, mode)}
}`,
    body: `let start = group * ${CHUNK}u;
  if (group < P.groups) {
    for (var k = 0u; k < ${PER_THREAD}u; k++) {
      let i = start + k * ${WORKGROUP}u + lid;
      if (i < P.pixels) {
        let b = bin_of(load_a(i));
        if (b >= 0i) { ${local > 0 ? 'atomicAdd(&local_counts[b], 1u);' : 'atomicAdd(&counts[b], 1u);'} }
      }
    }
  }
  ${
    local > 0
      ? `workgroupBarrier();
  for (var b = lid; b < P.n; b += ${WORKGROUP}u) {
    let c = atomicLoad(&local_counts[b]);
    if (c > 0u) { atomicAdd(&counts[b], c); }
  }`
      : ''
  }`,
  };
}

export type BinSpec =
  | { mode: 'edges'; edges: GpuImage }
  | { mode: 'direct'; offset: number }
  | { mode: 'scaled'; minMax: GpuImage; lo?: number; hi?: number };

/**
 * Records a histogram of `input` into the first `bins` words of `counts` (a uint32 image,
 * cleared here first).
 */
export function recordHistogram(op: string, input: GpuImage, counts: GpuImage, bins: number, spec: BinSpec): void {
  recordClear(counts.buffer, 0, bins * 4);
  // Images larger than one binding are counted slab by slab into the same counts.
  if (input.large) forEachSlab(op, input, (slab) => countPixels(op, slab, counts, bins, spec));
  else countPixels(op, input, counts, bins, spec);
}

/** Adds the counts of `input`'s pixels to `counts`. */
function countPixels(op: string, input: GpuImage, counts: GpuImage, bins: number, spec: BinSpec): void {
  const cap = localCapacity();
  const local = bins <= 256 ? 256 : bins <= 1024 ? 1024 : bins <= cap ? cap : 0;
  const t = computeType(input.dtype);
  const groups = Math.ceil(input.size / CHUNK);
  const u: Record<string, number> = { n: bins, pixels: input.size, groups, off_u: 0, off_i: 0, hi_u: 0, hi_i: 0, has_lo: 0, has_hi: 0 };
  const setLo = (x: number) => (t === 'u32' ? (u.off_u = x) : (u.off_i = x));
  const setHi = (x: number) => (t === 'u32' ? (u.hi_u = x) : (u.hi_i = x));
  const buffers = [input.buffer, counts.buffer];
  if (spec.mode === 'direct') setLo(spec.offset);
  if (spec.mode === 'edges') buffers.push(spec.edges.buffer);
  if (spec.mode === 'scaled') {
    buffers.push(spec.minMax.buffer);
    if (spec.lo !== undefined) {
      setLo(spec.lo);
      u.has_lo = 1;
    }
    if (spec.hi !== undefined) {
      setHi(spec.hi);
      u.has_hi = 1;
    }
  }
  dispatch(kernelFor('histogram', { d: input.dtype, mode: spec.mode, local }, histogramSpec), buffers, u as UniformValues, groups, op);
}

function edgesSpec(): KernelSpec {
  // numpy's float32 linspace (np.histogram with an image-derived range): e_k = (k·step) + start,
  // each operation rounded to float32. The product goes through workgroup memory so that no
  // compiler fuses it with the addition (numpy rounds twice).
  return {
    label: 'histogram edges',
    bindings: [
      { name: 'mm', type: 'array<f32>' },
      { name: 'edges', type: 'array<f32>', access: 'read_write' },
    ],
    uniforms: [
      { name: 'n', type: 'u32' }, { name: 'has_lo', type: 'u32' }, { name: 'has_hi', type: 'u32' },
      { name: 'lo', type: 'f32' }, { name: 'hi', type: 'f32' },
    ],
    workgroupSize: WORKGROUP,
    declarations: `var<workgroup> prod: array<f32, ${WORKGROUP}>;
// a / n correctly rounded (a >= 0 finite, n >= 1, normal result) by long division of the
// mantissa: the GPU's own division may be a few ulp off, and numpy's step is rounded once.
fn div_rn(a: f32, n: u32) -> f32 {
  if (a == 0.0) { return 0.0; }
  let fr = frexp(a);
  let m = u32(ldexp(fr.fract, 24));
  var q = m / n;
  var r = m % n;
  var e = fr.exp - 24;
  loop {
    if (q >= 0x4000000u) { break; }
    r = r << 1u;
    q = q << 1u;
    if (r >= n) { q = q | 1u; r = r - n; }
    e = e - 1;
  }
  // q has 27 bits: keep 24, round to nearest even with the 3 others and the remainder.
  let keep = q >> 3u;
  let rest = q & 7u;
  var mant = keep;
  if (rest > 4u || (rest == 4u && (r != 0u || (keep & 1u) == 1u))) { mant = mant + 1u; }
  return ldexp(f32(mant), e + 3);
}`,
    body: `var start = select(mm[0], P.lo, P.has_lo == 1u);
  var stop = select(mm[1], P.hi, P.has_hi == 1u);
  if (start == stop) { start = start - 0.5; stop = stop + 0.5; }
  let delta = stop - start;
  let step = div_rn(delta, P.n);
  let zero_step = step == 0.0;
  for (var base = 0u; base <= P.n; base += ${WORKGROUP}u) {
    let k = base + lid;
    prod[lid] = select(f32(k) * step, div_rn(f32(k), P.n), zero_step);
    workgroupBarrier();
    let p = prod[lid];
    workgroupBarrier();
    prod[lid] = select(p, p * delta, zero_step);
    workgroupBarrier();
    let q = prod[lid];
    if (k < P.n) { edges[k] = q + start; } else if (k == P.n) { edges[k] = stop; }
    workgroupBarrier();
  }`,
  };
}

/**
 * @internal Float32 bin edges computed on the GPU from a float32 min/max image (optionally
 * overriding either bound), exactly as numpy's float32 linspace (the step's division is done
 * by integer long division, so it is correctly rounded on every GPU; products are rounded
 * through workgroup memory so that no compiler fuses them). Callers that must be certain
 * still compare with {@link linspace32} on the host.
 */
export function gpuFloatEdges(op: string, minMax: GpuImage, bins: number, lo?: number, hi?: number): GpuImage {
  const edges = create([bins + 1], 'float32');
  const u = { n: bins, has_lo: lo === undefined ? 0 : 1, has_hi: hi === undefined ? 0 : 1, lo: lo ?? 0, hi: hi ?? 0 };
  dispatch(kernelFor('histogramEdges', '', edgesSpec), [minMax.buffer, edges.buffer], u, [1, 1, 1], `${op} edges`);
  return edges;
}

const f = Math.fround;

/**
 * numpy's `np.linspace(start, stop, bins + 1, dtype=float32)` for float32 `start`/`stop`
 * (np.histogram's edges when the range comes from a float32 image), including the widening
 * of an empty range by ±0.5.
 */
export function linspace32(min: number, max: number, bins: number): Float32Array {
  let start = f(min);
  let stop = f(max);
  if (start === stop) {
    start = f(start - 0.5);
    stop = f(stop + 0.5);
  }
  const delta = f(stop - start);
  const step = f(delta / bins);
  const e = new Float32Array(bins + 1);
  for (let k = 0; k < bins; k++) e[k] = f((step === 0 ? f(f(k / bins) * delta) : f(k * step)) + start);
  e[bins] = stop;
  return e;
}

/**
 * numpy's edges for an explicit range given as Python floats: linspace in float64, then
 * cast to the bins' dtype (float32 for float32 images; float64 for integer images).
 */
export function linspace64(first: number, last: number, bins: number): Float64Array {
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const delta = last - first;
  const step = delta / bins;
  const e = new Float64Array(bins + 1);
  for (let k = 0; k < bins; k++) e[k] = (step === 0 ? (k / bins) * delta : k * step) + first;
  e[bins] = last;
  return e;
}

/**
 * The edges buffer (see the module note) for real edges `e` (numpy's): float32 images take
 * them rounded to float32; integer images take ceil(e_k) as lower bounds and floor(e_n) as
 * the upper limit, clamped to the edge type's range.
 */
export function edgesImage(d: DType, e: Float64Array | Float32Array): GpuImage {
  const n = e.length - 1;
  if (d === 'float32') return push(Float32Array.from(e), [n + 1]);
  const et = edgeDType(d);
  const [lo, hi] = dtypeRange(et);
  const clampInt = (x: number) => Math.min(hi, Math.max(lo, x));
  const out = et === 'uint32' ? new Uint32Array(n + 1) : new Int32Array(n + 1);
  for (let k = 0; k < n; k++) out[k] = clampInt(Math.ceil(e[k]));
  out[n] = clampInt(Math.floor(e[n]));
  return push(out, [n + 1]);
}

export { CHUNK as HISTOGRAM_CHUNK };
