import { ComputeType, DType, computeType, dtypeRange } from '../dtype';
import type { GpuImage } from '../array/gpu-image';
import { create } from '../array/transfer';
import { deviceInfo, onDeviceReset } from '../gpu/device';
import { CHECK_KEYS } from '../gpu/kernel';
import { f32lit } from './wgsl';
import { type PixelProgram, programKey, runPixelProgram } from './program';

/**
 * One generator for every elementwise operation (arithmetic, comparisons, logic, math
 * functions, conversions). An operation states its inputs, the type its operands are
 * converted to (`compute`), an output dtype and one WGSL expression over the operands
 * `a`, `b`, `c` ... and its scalars `P.<name>`; the runner does the rest (loading packed
 * pixels, one thread per output word, saturating conversion to the output dtype).
 *
 * The pipeline is cached by the generated code itself (codegen/program.ts), so operations whose
 * code depends on the dtype (e.g. an integer fast path) stay correct without any hand-made key.
 */
export interface ElementwiseSpec {
  /** Public name: the first part of the cache key. */
  op: string;
  /** Operands in order: `a`, `b`, `d`, `e` ... in `expr` (`c` is the coordinates). */
  inputs: GpuImage[];
  /** Output dtype (default: the first input's). */
  output?: DType;
  /** The type each operand is converted to before `expr` sees it (scalars given as numbers too). */
  compute: ComputeType;
  /** Per-operand overrides of `compute`; 'native' keeps the operand's own compute type. */
  operands?: Array<ComputeType | 'native' | undefined>;
  /** The type of `expr` (default `compute`); converted with saturation to the output dtype. */
  result?: ComputeType;
  /** Scalars, `P.<name>` in `expr`. A bare number takes the compute type. */
  scalars?: Record<string, number | { type: ComputeType; value: number }>;
  /** A WGSL expression of type `result`. May use `i` (linear index) and, with `coords`, `c`. */
  expr: string;
  /** Extra WGSL functions `expr` calls (e.g. {@link MATH_HELPERS}). */
  helpers?: string;
  /** Whether `expr` uses the coordinates `c = vec4<i32>(x, y, z, t)`. */
  coords?: boolean;
}

// `c` is the coordinates variable, so the third operand is `d`.
const OPERANDS = 'abdefghk';

/** What an elementwise spec generates, the same for every call with the same key. */
interface Generated {
  names: string[];
  body: string;
  helpers: string | undefined;
  /** The pixel program's key (codegen/program.ts), kept so that calls pass the same string. */
  programKey: string | undefined;
}

/**
 * The generated parts by spec key: building the WGSL body and the pixel program's key (long
 * strings, hashed on lookup) on every call costs more than the dispatch. Cleared with the device
 * (the helpers depend on it).
 */
const generated = new Map<string, Generated>();
onDeviceReset(() => generated.clear());
/** Helper sources by a short number, so that keys do not carry kilobytes of WGSL. */
const helperIds = new Map<string, number>();

/** The key of a spec: every field that reaches the generated code (never sizes or values). */
function specKey(spec: ElementwiseSpec): string {
  let key = `${spec.op}\u0001${spec.expr}\u0001${spec.output ?? ''}\u0001${spec.compute}\u0001${spec.result ?? ''}\u0001${spec.coords === true ? 1 : 0}`;
  for (let k = 0; k < spec.inputs.length; k++) key += `\u0001${spec.inputs[k].dtype}:${spec.operands?.[k] ?? ''}`;
  if (spec.scalars) {
    for (const n in spec.scalars) {
      const s = spec.scalars[n];
      key += `\u0001${n}=${typeof s === 'number' ? '' : s.type}`;
    }
  }
  if (spec.helpers !== undefined) {
    let id = helperIds.get(spec.helpers);
    if (id === undefined) helperIds.set(spec.helpers, (id = helperIds.size));
    key += `\u0002${id}`;
  }
  return key;
}

function generate(spec: ElementwiseSpec): Generated {
  const names = spec.inputs.map((_, k) => OPERANDS[k]);
  // Operands are `let`s named like the inputs; the coordinates variable is `c`, so operands skip it.
  const typeOf = (k: number): ComputeType => {
    const o = spec.operands?.[k];
    return o === 'native' ? computeType(spec.inputs[k].dtype) : o ?? spec.compute;
  };
  const lets = names.map((n, k) => `let ${n} = ${castTo(typeOf(k), spec.inputs[k].dtype, `load_${n}(i)`)};`).join('\n  ');
  return { names, body: `${lets}\n  return ${spec.expr};`, helpers: forDevice(spec.helpers), programKey: undefined };
}

/** Records an elementwise operation and returns its new output image. */
export function elementwise(spec: ElementwiseSpec): GpuImage {
  const key = specKey(spec);
  let g = generated.get(key);
  if (g === undefined) generated.set(key, (g = generate(spec)));
  else if (CHECK_KEYS) {
    const fresh = generate(spec);
    if (fresh.body !== g.body || fresh.helpers !== g.helpers) throw new Error(`internal: the elementwise key ${JSON.stringify(key)} maps to two different programs`);
  }
  const inputs: Record<string, GpuImage> = {};
  for (let k = 0; k < spec.inputs.length; k++) inputs[g.names[k]] = spec.inputs[k];
  const scalars: Record<string, { type: ComputeType; value: number }> = {};
  if (spec.scalars) {
    for (const n in spec.scalars) {
      const s = spec.scalars[n];
      scalars[n] = typeof s === 'number' ? { type: spec.compute, value: s } : s;
    }
  }
  const program: PixelProgram = {
    op: spec.op,
    inputs,
    output: create(spec.inputs[0].shape, spec.output ?? spec.inputs[0].dtype),
    scalars,
    coords: spec.coords,
    computeType: spec.result ?? spec.compute,
    helpers: g.helpers,
    body: g.body,
  };
  g.programKey ??= programKey(program);
  return runPixelProgram(program, g.programKey);
}

/** WGSL converting a value of `d`'s compute type to `to` (plain cast; no saturation needed). */
function castTo(to: ComputeType, d: DType, v: string): string {
  return computeType(d) === to ? v : `${to}(${v})`;
}

/**
 * The type in which two images compare and combine exactly where possible: their common
 * compute type; i32 for a mix of signed and 8/16-bit unsigned; f32 when either is float32
 * or when uint32 meets a signed type (then values beyond ±2^24 round, as in pyclesperanto).
 */
export function commonComputeType(a: DType, b: DType): ComputeType {
  const ta = computeType(a);
  const tb = computeType(b);
  if (ta === tb) return ta;
  if (ta === 'f32' || tb === 'f32') return 'f32';
  const unsigned = ta === 'u32' ? a : b;
  return unsigned === 'uint32' ? 'f32' : 'i32';
}

/** The WGSL literal zero of a compute type. */
export const zeroOf = (t: ComputeType): string => (t === 'f32' ? '0.0' : t === 'i32' ? '0i' : '0u');

/**
 * A scalar converted for integer arithmetic in `d`'s compute type: rounded toward zero
 * (or with `round`) and clamped to the dtype's range. Operations that commute with a
 * monotone rounding (max, min, clamp) then give exactly pyclesperanto's float result.
 */
export function integerScalar(d: DType, value: number, round: (x: number) => number = Math.trunc): { type: ComputeType; value: number } {
  const [lo, hi] = dtypeRange(d);
  return { type: computeType(d), value: Math.min(hi, Math.max(lo, round(value))) };
}

/**
 * Shared WGSL math helpers. NaN is made at run time (a constant NaN is a WGSL
 * shader-creation error); the other functions follow C / numpy where WGSL leaves cases
 * undefined (negative bases of pow, log of negatives, rounding halves away from zero).
 */
const DIV_REFINE_MARK = '// @@div-refine@@';
const DIV_REFINE = 'if (!is_inf(q) && q != 0.0 && !is_inf(x)) { let r = fma(-q, y, x); q = fma(r, 1.0 / y, q); }';

/** MATH_HELPERS for the current device: the division refinement only where fma is fused in hardware. */
export function forDevice(helpers: string | undefined): string | undefined {
  return helpers?.replace(DIV_REFINE_MARK, deviceInfo().isSoftware ? '' : DIV_REFINE);
}

export const MATH_HELPERS = `
fn nan_f32() -> f32 { return bitcast<f32>(0x7fc00000u + min(0u, bitcast<u32>(P.out_shape.x))); }
fn inf_f32() -> f32 { return bitcast<f32>(0x7f800000u + min(0u, bitcast<u32>(P.out_shape.x))); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn log_ieee(x: f32) -> f32 {
  if (x < 0.0 || is_nan(x)) { return nan_f32(); }
  if (x == 0.0) { return -inf_f32(); }
  if (is_inf(x)) { return x; }
  return log(x);
}
fn log2_ieee(x: f32) -> f32 {
  if (x < 0.0 || is_nan(x)) { return nan_f32(); }
  if (x == 0.0) { return -inf_f32(); }
  if (is_inf(x)) { return x; }
  return log2(x);
}
fn sqrt_ieee(x: f32) -> f32 { if (x < 0.0 || is_nan(x)) { return nan_f32(); } return sqrt(x); }
fn div_ieee(x: f32, y: f32) -> f32 {
  if (y == 0.0) {
    if (x == 0.0 || is_nan(x)) { return nan_f32(); }
    let s = select(1.0, -1.0, (bitcast<u32>(x) ^ bitcast<u32>(y)) >= 0x80000000u);
    return s * inf_f32();
  }
  // GPU division may be a few ulp off (WGSL allows 2.5 ulp; NVIDIA's is). On hardware GPUs one
  // Newton step with a fused residual rounds it correctly (numpy's quotient); software
  // adapters may not fuse fma, so there it is left out. An exact integer quotient is then
  // snapped to that integer, so that 6 / 3 truncates to 2 in an integer output.
  var q = x / y;
  ${DIV_REFINE_MARK}
  let k = round(q);
  return select(q, k, k * y == x && abs(k) < 16777216.0);
}
fn pow_ieee(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (is_nan(x) || is_nan(y)) { return nan_f32(); }
  let ay = abs(y);
  let integral = trunc(y) == y;
  if (integral && ay <= 16.0) {
    // Repeated squaring: exact for small integer powers, as numpy's float32 power for 2.
    var r = 1.0;
    var base = x;
    var e = u32(ay);
    loop {
      if ((e & 1u) == 1u) { r = r * base; }
      e = e >> 1u;
      if (e == 0u) { break; }
      base = base * base;
    }
    return select(r, div_ieee(1.0, r), y < 0.0);
  }
  if (x == 0.0) { return select(0.0, inf_f32(), y < 0.0); }
  if (x < 0.0) {
    if (!integral) { return nan_f32(); }
    let odd = abs(y - 2.0 * trunc(y * 0.5)) == 1.0;
    let m = pow(-x, y);
    return select(m, -m, odd);
  }
  if (is_inf(x)) { return select(0.0, x, y > 0.0); }
  return pow(x, y);
}
fn fmod_ieee(x: f32, y: f32) -> f32 {
  if (y == 0.0 || is_nan(x) || is_nan(y) || is_inf(x)) { return nan_f32(); }
  let ay = abs(y);
  var r = abs(x);
  if (is_inf(y) || r < ay) { return x; }
  // Long division by power-of-two multiples of |y|: each subtraction is exact (d <= r < 2d),
  // so the remainder is exact, as C fmodf (x - y * trunc(x / y) is not).
  let ey = frexp(ay).exp;
  loop {
    if (r < ay) { break; }
    var d = ldexp(ay, frexp(r).exp - ey);
    if (d > r) { d = d * 0.5; }
    r = r - d;
  }
  return select(r, -r, x < 0.0);
}
fn exp10_f32(x: f32) -> f32 {
  // 10^x = 10^n * 10^f with n = round(x): integer powers by exact repeated multiplication.
  let n = round(x);
  return pow_ieee(10.0, n) * exp2((x - n) * 3.321928094887362);
}
fn asin_f32(x: f32) -> f32 {
  if (abs(x) > 1.0 || is_nan(x)) { return nan_f32(); }
  return atan2(x, sqrt((1.0 - x) * (1.0 + x)));
}
fn acos_f32(x: f32) -> f32 {
  if (abs(x) > 1.0 || is_nan(x)) { return nan_f32(); }
  return atan2(sqrt((1.0 - x) * (1.0 + x)), x);
}
fn round_half_away(x: f32) -> f32 {
  let t = trunc(x);
  return select(t, t + sign(x), abs(x - t) >= 0.5);
}
`;

/** A WGSL f32 literal (for constants baked into an expression). */
export { f32lit };
