import { computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { MATH_HELPERS, elementwise, integerScalar } from '../../codegen/elementwise';
import { checkImage, checkNumber } from '../../validate/arguments';
import { type OpInfo, defineOp, image, number } from '../op';

/**
 * Image-and-scalar arithmetic. Dtype rule (pyclesperanto's): the result has the input's
 * dtype; it is computed in float32 and converted with saturation, rounding toward zero
 * (NaN becomes 0 in integer outputs). 32-bit integer pixels beyond ±2^24 lose precision in
 * the float32 step, as in pyclesperanto. Float results follow IEEE: x/0 is ±Inf, 0/0 NaN.
 *
 * Deliberate deviation: recent pyclesperanto versions round image-and-scalar results to
 * the nearest integer before converting to an integer dtype; Tessera rounds toward zero
 * everywhere (as numpy's `astype` and pyclesperanto's `convert_*_sat`), so all its
 * operations convert one way.
 */
function f32Op(fn: string, input: GpuImage, s: number, expr: string, helpers?: string): GpuImage {
  checkImage(input, `${fn}: input`);
  checkNumber(s, `${fn}: scalar`);
  return elementwise({ op: fn, inputs: [input], compute: 'f32', scalars: { s }, expr, helpers });
}

/** The metadata of an image-and-scalar operation whose scalar defaults to `value`. */
const scalarOp = (value: number): OpInfo => ({ params: [image(), number('scalar', value)], output: 'same', tiling: 'pointwise' });

/**
 * `input + scalar`. pyclesperanto: `add_image_and_scalar`; numpy:
 * `sat(a.astype(np.float32) + np.float32(scalar), a.dtype)` (see the module note for the
 * dtype rule: result in the input's dtype, saturating, rounding toward zero).
 */
export const addImageAndScalar = defineOp(scalarOp(1), function addImageAndScalar(input: GpuImage, scalar = 1): GpuImage {
  return f32Op('addImageAndScalar', input, scalar, 'a + P.s');
});

/**
 * `input * scalar`, result in the input's dtype (saturating, rounding toward zero).
 * pyclesperanto: `multiply_image_and_scalar` (default scalar 0, as there); numpy:
 * `sat(a.astype(np.float32) * np.float32(scalar), a.dtype)`.
 */
export const multiplyImageAndScalar = defineOp(scalarOp(0), function multiplyImageAndScalar(input: GpuImage, scalar = 0): GpuImage {
  return f32Op('multiplyImageAndScalar', input, scalar, 'a * P.s');
});

/**
 * `scalar - input`, result in the input's dtype (saturating, rounding toward zero).
 * pyclesperanto: `subtract_image_from_scalar`; numpy: `sat(np.float32(s) - a, a.dtype)`.
 */
export const subtractImageFromScalar = defineOp(scalarOp(0), function subtractImageFromScalar(input: GpuImage, scalar = 0): GpuImage {
  return f32Op('subtractImageFromScalar', input, scalar, 'P.s - a');
});

/**
 * `scalar / input`, result in the input's dtype. Division by zero follows IEEE (±Inf, NaN
 * for 0/0), which saturates to the dtype's limits (NaN to 0) in integer outputs.
 * pyclesperanto: `divide_scalar_by_image`; numpy: `sat(np.float32(s) / a, a.dtype)`.
 */
export const divideScalarByImage = defineOp(scalarOp(0), function divideScalarByImage(input: GpuImage, scalar = 0): GpuImage {
  return f32Op('divideScalarByImage', input, scalar, 'div_ieee(P.s, a)', MATH_HELPERS);
});

/**
 * `input ** scalar`, result in the input's dtype. As numpy's float32 power: a negative base
 * with a non-integer exponent gives NaN, 0 to a negative power Inf; integer exponents up to
 * 16 use exact repeated multiplication. pyclesperanto: `power`; numpy:
 * `sat(np.power(a.astype(np.float32), np.float32(s)), a.dtype)`.
 */
export const power = defineOp(scalarOp(1), function power(input: GpuImage, scalar = 1): GpuImage {
  return f32Op('power', input, scalar, 'pow_ieee(a, P.s)', MATH_HELPERS);
});

/**
 * `max(input, scalar)` per pixel, in the input's dtype. Integer images are computed exactly
 * in their own type (the scalar rounded toward zero and clamped, which gives the same result
 * as the float computation of pyclesperanto). pyclesperanto: `maximum_image_and_scalar`;
 * numpy: `sat(np.maximum(a, s), a.dtype)`.
 */
export const maximumImageAndScalar = defineOp(scalarOp(0), function maximumImageAndScalar(input: GpuImage, scalar = 0): GpuImage {
  return extremumWithScalar('maximumImageAndScalar', 'max', input, scalar);
});

/**
 * `min(input, scalar)` per pixel, in the input's dtype, computed like
 * {@link maximumImageAndScalar}. pyclesperanto: `minimum_image_and_scalar`; numpy:
 * `sat(np.minimum(a, s), a.dtype)`.
 */
export const minimumImageAndScalar = defineOp(scalarOp(0), function minimumImageAndScalar(input: GpuImage, scalar = 0): GpuImage {
  return extremumWithScalar('minimumImageAndScalar', 'min', input, scalar);
});

function extremumWithScalar(fn: string, f: 'max' | 'min', input: GpuImage, s: number): GpuImage {
  checkImage(input, `${fn}: input`);
  checkNumber(s, `${fn}: scalar`);
  const t = computeType(input.dtype);
  // trunc and saturation are monotone, so they commute with max/min: sat(max(x, s)) = max(x, sat(trunc(s))).
  const sc = t === 'f32' ? { type: t, value: s } : integerScalar(input.dtype, s);
  return elementwise({ op: fn, inputs: [input], compute: t, scalars: { s: sc }, expr: `${f}(a, P.s)` });
}
