import { ComputeType, computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { MATH_HELPERS, elementwise } from '../../codegen/elementwise';
import { checkImage } from '../../validate/arguments';
import { type OpInfo, defineOp, image } from '../op';

/**
 * Pixelwise math functions. Dtype rule (pyclesperanto's): the result has the input's dtype,
 * computed in float32 and converted with saturation, rounding toward zero; NaN (e.g. the log
 * or square root of a negative number) becomes 0 in integer outputs and stays NaN in float32.
 * `degreesToRadians` and `radiansToDegrees` return float32.
 *
 * Accuracy: transcendental functions use the GPU's float32 functions, whose WGSL error bounds
 * are looser than numpy's (e.g. sin/cos: absolute error ≤ 2^-11 within [-π, π] by the spec,
 * typically ~1e-7 in practice; exp/log: a few ulp).
 */
function f32Unary(fn: string, input: GpuImage, expr: string): GpuImage {
  checkImage(input, `${fn}: input`);
  return elementwise({ op: fn, inputs: [input], compute: 'f32', expr, helpers: MATH_HELPERS });
}

/** Integer inputs computed in their own type with `intExpr`, float32 with `floatExpr`. */
function nativeUnary(fn: string, input: GpuImage, expr: Record<ComputeType, string>): GpuImage {
  checkImage(input, `${fn}: input`);
  const t = computeType(input.dtype);
  return elementwise({ op: fn, inputs: [input], compute: t, expr: expr[t], helpers: MATH_HELPERS });
}

/** The metadata of the math functions: one image, pointwise, the input's dtype (the angle conversions: float32). */
const UNARY: OpInfo = { params: [image()], output: 'same', tiling: 'pointwise' };
const UNARY_FLOAT: OpInfo = { ...UNARY, output: 'float32' };

/**
 * `|input|` in the input's dtype; integer types exactly, saturating (|-128| of int8 is 127).
 * pyclesperanto: `absolute`; numpy: `sat(np.abs(a.astype(np.float64)), a.dtype)`.
 */
export const absolute = defineOp(UNARY, function absolute(input: GpuImage): GpuImage {
  return nativeUnary('absolute', input, { f32: 'abs(a)', u32: 'a', i32: 'select(abs(a), 2147483647i, a == -2147483647i - 1i)' });
});

/** `√input` (NaN for negatives). pyclesperanto: `square_root`; numpy: `sat(np.sqrt(a.astype(np.float32)), a.dtype)`. */
export const squareRoot = defineOp(UNARY, function squareRoot(input: GpuImage): GpuImage {
  return f32Unary('squareRoot', input, 'sqrt_ieee(a)');
});

/** Cube root (defined for negatives). pyclesperanto: `cubic_root`; numpy: `sat(np.cbrt(a.astype(np.float32)), a.dtype)`. */
export const cubicRoot = defineOp(UNARY, function cubicRoot(input: GpuImage): GpuImage {
  return f32Unary('cubicRoot', input, 'select(sign(a) * pow(abs(a), 1.0 / 3.0), a, a == 0.0 || is_inf(a) || is_nan(a))');
});

/** `input²` in the input's dtype (saturating). pyclesperanto: `square`; numpy: `sat(np.square(a.astype(np.float32)), a.dtype)`. */
export const square = defineOp(UNARY, function square(input: GpuImage): GpuImage {
  return f32Unary('square', input, 'a * a');
});

/** `1 / input` (1/0 = Inf). pyclesperanto: `reciprocal`; numpy: `sat(np.float32(1) / a.astype(np.float32), a.dtype)`. */
export const reciprocal = defineOp(UNARY, function reciprocal(input: GpuImage): GpuImage {
  return f32Unary('reciprocal', input, 'div_ieee(1.0, a)');
});

/** `e^input`. pyclesperanto: `exponential`; numpy: `sat(np.exp(a.astype(np.float32)), a.dtype)`. */
export const exponential = defineOp(UNARY, function exponential(input: GpuImage): GpuImage {
  return f32Unary('exponential', input, 'exp(a)');
});

/** `2^input`. pyclesperanto: `exponential2`; numpy: `sat(np.exp2(a.astype(np.float32)), a.dtype)`. */
export const exponential2 = defineOp(UNARY, function exponential2(input: GpuImage): GpuImage {
  return f32Unary('exponential2', input, 'exp2(a)');
});

/** `10^input`. pyclesperanto: `exponential10`; numpy: `sat(np.power(np.float32(10), a.astype(np.float32)), a.dtype)`. */
export const exponential10 = defineOp(UNARY, function exponential10(input: GpuImage): GpuImage {
  return f32Unary('exponential10', input, 'exp10_f32(a)');
});

/** Natural logarithm (log 0 = -Inf, log of negatives NaN). pyclesperanto: `logarithm`; numpy: `sat(np.log(a.astype(np.float32)), a.dtype)`. */
export const logarithm = defineOp(UNARY, function logarithm(input: GpuImage): GpuImage {
  return f32Unary('logarithm', input, 'log_ieee(a)');
});

/** Base-2 logarithm. pyclesperanto: `logarithm2`; numpy: `sat(np.log2(a.astype(np.float32)), a.dtype)`. */
export const logarithm2 = defineOp(UNARY, function logarithm2(input: GpuImage): GpuImage {
  return f32Unary('logarithm2', input, 'log2_ieee(a)');
});

/** Base-10 logarithm. pyclesperanto: `logarithm10`; numpy: `sat(np.log10(a.astype(np.float32)), a.dtype)`. */
export const logarithm10 = defineOp(UNARY, function logarithm10(input: GpuImage): GpuImage {
  return f32Unary('logarithm10', input, 'log_ieee(a) * 0.4342944819032518');
});

/** Sine (radians). pyclesperanto: `sin`; numpy: `sat(np.sin(a.astype(np.float32)), a.dtype)`. */
export const sin = defineOp(UNARY, function sin(input: GpuImage): GpuImage {
  return f32Unary('sin', input, 'sin(a)');
});

/** Cosine (radians). pyclesperanto: `cos`; numpy: `np.cos`. */
export const cos = defineOp(UNARY, function cos(input: GpuImage): GpuImage {
  return f32Unary('cos', input, 'cos(a)');
});

/** Tangent (radians). pyclesperanto: `tan`; numpy: `np.tan`. */
export const tan = defineOp(UNARY, function tan(input: GpuImage): GpuImage {
  return f32Unary('tan', input, 'tan(a)');
});

/** Arc sine (NaN outside [-1, 1]). pyclesperanto: `asin`; numpy: `np.arcsin`. */
export const asin = defineOp(UNARY, function asin(input: GpuImage): GpuImage {
  return f32Unary('asin', input, 'asin_f32(a)');
});

/** Arc cosine (NaN outside [-1, 1]). pyclesperanto: `acos`; numpy: `np.arccos`. */
export const acos = defineOp(UNARY, function acos(input: GpuImage): GpuImage {
  return f32Unary('acos', input, 'acos_f32(a)');
});

/** Arc tangent. pyclesperanto: `atan`; numpy: `np.arctan`. */
export const atan = defineOp(UNARY, function atan(input: GpuImage): GpuImage {
  return f32Unary('atan', input, 'atan(a)');
});

/** Hyperbolic sine. pyclesperanto: `sinh`; numpy: `np.sinh`. */
export const sinh = defineOp(UNARY, function sinh(input: GpuImage): GpuImage {
  return f32Unary('sinh', input, 'sinh(a)');
});

/** Hyperbolic cosine. pyclesperanto: `cosh`; numpy: `np.cosh`. */
export const cosh = defineOp(UNARY, function cosh(input: GpuImage): GpuImage {
  return f32Unary('cosh', input, 'cosh(a)');
});

/** Hyperbolic tangent. pyclesperanto: `tanh`; numpy: `np.tanh`. */
export const tanh = defineOp(UNARY, function tanh(input: GpuImage): GpuImage {
  return f32Unary('tanh', input, 'select(tanh(a), sign(a), abs(a) > 20.0)');
});

/** Rounds up; integer images are returned unchanged (as a copy). pyclesperanto: `ceil`; numpy: `np.ceil`. */
export const ceil = defineOp(UNARY, function ceil(input: GpuImage): GpuImage {
  return nativeUnary('ceil', input, { f32: 'ceil(a)', u32: 'a', i32: 'a' });
});

/** Rounds down; integer images unchanged. pyclesperanto: `floor`; numpy: `np.floor`. */
export const floor = defineOp(UNARY, function floor(input: GpuImage): GpuImage {
  return nativeUnary('floor', input, { f32: 'floor(a)', u32: 'a', i32: 'a' });
});

/**
 * Rounds to the nearest integer, halves away from zero (as pyclesperanto / C `round`; numpy's
 * `np.round` rounds halves to even instead). Integer images unchanged. pyclesperanto: `round`.
 */
export const round = defineOp(UNARY, function round(input: GpuImage): GpuImage {
  return nativeUnary('round', input, { f32: 'round_half_away(a)', u32: 'a', i32: 'a' });
});

/** Rounds toward zero; integer images unchanged. pyclesperanto: `truncate`; numpy: `np.trunc`. */
export const truncate = defineOp(UNARY, function truncate(input: GpuImage): GpuImage {
  return nativeUnary('truncate', input, { f32: 'trunc(a)', u32: 'a', i32: 'a' });
});

/** -1, 0 or 1 by the sign of each pixel, in the input's dtype. pyclesperanto: `sign`; numpy: `np.sign`. */
export const sign = defineOp(UNARY, function sign(input: GpuImage): GpuImage {
  return nativeUnary('sign', input, { f32: 'sign(a)', u32: 'select(0u, 1u, a > 0u)', i32: 'sign(a)' });
});

/**
 * `-input` in the input's dtype: saturating, so unsigned images become 0 and int8 -128 gives
 * 127. pyclesperanto: `invert` (= multiply by -1); numpy: `sat(-a.astype(np.float64), a.dtype)`.
 */
export const invert = defineOp(UNARY, function invert(input: GpuImage): GpuImage {
  return nativeUnary('invert', input, { f32: '-a', u32: '0u', i32: 'select(-a, 2147483647i, a == -2147483647i - 1i)' });
});

/** Degrees to radians, as float32. pyclesperanto: `degrees_to_radians`; numpy: `np.deg2rad(a.astype(np.float32))`. */
export const degreesToRadians = defineOp(UNARY_FLOAT, function degreesToRadians(input: GpuImage): GpuImage {
  checkImage(input, 'degreesToRadians: input');
  return elementwise({ op: 'degreesToRadians', inputs: [input], output: 'float32', compute: 'f32', expr: 'a * 0.017453292519943295' });
});

/** Radians to degrees, as float32. pyclesperanto: `radians_to_degrees`; numpy: `np.rad2deg(a.astype(np.float32))`. */
export const radiansToDegrees = defineOp(UNARY_FLOAT, function radiansToDegrees(input: GpuImage): GpuImage {
  checkImage(input, 'radiansToDegrees: input');
  return elementwise({ op: 'radiansToDegrees', inputs: [input], output: 'float32', compute: 'f32', expr: 'a * 57.29577951308232' });
});
