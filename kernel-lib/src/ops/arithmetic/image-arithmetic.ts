import type { GpuImage } from '../../array/gpu-image';
import { MATH_HELPERS, commonComputeType, elementwise } from '../../codegen/elementwise';
import type { DType } from '../../dtype';
import { checkImagePair } from '../../validate/arguments';
import { type OpInfo, defineOp, image } from '../op';

/**
 * Image-and-image arithmetic. Dtype rules follow pyclesperanto: `addImages`,
 * `subtractImages` and `squaredDifference` return float32; the others return `input0`'s
 * dtype, computed in float32 and converted with saturation, rounding toward zero (NaN to 0).
 * Shapes must match (no broadcasting). IEEE float semantics: x/0 = ±Inf, 0/0 = NaN; the
 * quotient is correctly rounded on hardware GPUs (within WGSL's 2.5 ulp on software adapters)
 * and exact integer quotients are exact everywhere.
 */
function f32Pair(fn: string, input0: GpuImage, input1: GpuImage, expr: string, output?: DType, helpers?: string): GpuImage {
  const [a, b] = checkImagePair(fn, input0, input1);
  return elementwise({ op: fn, inputs: [a, b], output, compute: 'f32', expr, helpers });
}

/** The metadata of the image-and-image operations: input0's dtype, or float32. */
const PAIR: OpInfo = { params: [image('input0'), image('input1')], output: 'same', tiling: 'pointwise' };
const PAIR_FLOAT32: OpInfo = { ...PAIR, output: 'float32' };

/**
 * `input0 + input1` as float32. pyclesperanto: `add_images` (= `add_images_weighted` with
 * factors 1, 1); numpy: `a.astype(np.float32) + b.astype(np.float32)`.
 */
export const addImages = defineOp(PAIR_FLOAT32, function addImages(input0: GpuImage, input1: GpuImage): GpuImage {
  return f32Pair('addImages', input0, input1, 'a + b', 'float32');
});

/**
 * `input0 - input1` as float32. pyclesperanto: `subtract_images`; numpy:
 * `a.astype(np.float32) - b.astype(np.float32)`.
 */
export const subtractImages = defineOp(PAIR_FLOAT32, function subtractImages(input0: GpuImage, input1: GpuImage): GpuImage {
  return f32Pair('subtractImages', input0, input1, 'a - b', 'float32');
});

/**
 * `input0 * input1` in `input0`'s dtype (float32 math, saturating). pyclesperanto:
 * `multiply_images`; numpy: `sat(a.astype(np.float32) * b, a.dtype)`.
 */
export const multiplyImages = defineOp(PAIR, function multiplyImages(input0: GpuImage, input1: GpuImage): GpuImage {
  return f32Pair('multiplyImages', input0, input1, 'a * b');
});

/**
 * `input0 / input1` in `input0`'s dtype (float32 math; x/0 = ±Inf and 0/0 = NaN, which
 * saturate to the dtype's limits and 0 in integer outputs). pyclesperanto: `divide_images`;
 * numpy: `sat(a.astype(np.float32) / b.astype(np.float32), a.dtype)`.
 */
export const divideImages = defineOp(PAIR, function divideImages(input0: GpuImage, input1: GpuImage): GpuImage {
  return f32Pair('divideImages', input0, input1, 'div_ieee(a, b)', undefined, MATH_HELPERS);
});

/**
 * `input0 ** input1` in `input0`'s dtype, with numpy's float32 rules (negative base and
 * non-integer exponent: NaN). pyclesperanto: `power_images`; numpy:
 * `sat(np.power(a.astype(np.float32), b.astype(np.float32)), a.dtype)`.
 */
export const powerImages = defineOp(PAIR, function powerImages(input0: GpuImage, input1: GpuImage): GpuImage {
  return f32Pair('powerImages', input0, input1, 'pow_ieee(a, b)', undefined, MATH_HELPERS);
});

/**
 * Remainder of `input0 / input1` with the sign of `input0` (C `fmod`), in `input0`'s dtype;
 * x mod 0 is NaN (0 in integer outputs). pyclesperanto: `modulo_images`; numpy:
 * `sat(np.fmod(a.astype(np.float32), b.astype(np.float32)), a.dtype)`.
 */
export const moduloImages = defineOp(PAIR, function moduloImages(input0: GpuImage, input1: GpuImage): GpuImage {
  return f32Pair('moduloImages', input0, input1, 'fmod_ieee(a, b)', undefined, MATH_HELPERS);
});

/**
 * Pixelwise maximum, in `input0`'s dtype. Computed exactly in the inputs' common integer type
 * when both are integer (see `commonComputeType`), else in float32. pyclesperanto:
 * `maximum_images`; numpy: `sat(np.maximum(a, b), a.dtype)`.
 */
export const maximumImages = defineOp(PAIR, function maximumImages(input0: GpuImage, input1: GpuImage): GpuImage {
  const [a, b] = checkImagePair('maximumImages', input0, input1);
  return elementwise({ op: 'maximumImages', inputs: [a, b], compute: commonComputeType(a.dtype, b.dtype), expr: 'max(a, b)' });
});

/** Pixelwise minimum, like {@link maximumImages}. pyclesperanto: `minimum_images`; numpy: `sat(np.minimum(a, b), a.dtype)`. */
export const minimumImages = defineOp(PAIR, function minimumImages(input0: GpuImage, input1: GpuImage): GpuImage {
  const [a, b] = checkImagePair('minimumImages', input0, input1);
  return elementwise({ op: 'minimumImages', inputs: [a, b], compute: commonComputeType(a.dtype, b.dtype), expr: 'min(a, b)' });
});

/**
 * `|input0 - input1|` in `input0`'s dtype (float32 math, saturating). pyclesperanto:
 * `absolute_difference`; numpy: `sat(np.abs(a.astype(np.float32) - b), a.dtype)`.
 */
export const absoluteDifference = defineOp(PAIR, function absoluteDifference(input0: GpuImage, input1: GpuImage): GpuImage {
  return f32Pair('absoluteDifference', input0, input1, 'abs(a - b)');
});

/**
 * `(input0 - input1)²` as float32. pyclesperanto: `squared_difference`; numpy:
 * `np.square(a.astype(np.float32) - b.astype(np.float32))`.
 */
export const squaredDifference = defineOp(PAIR_FLOAT32, function squaredDifference(input0: GpuImage, input1: GpuImage): GpuImage {
  return f32Pair('squaredDifference', input0, input1, '(a - b) * (a - b)', 'float32');
});
