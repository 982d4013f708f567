import { computeType, dtypeRange } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { MATH_HELPERS, elementwise, integerScalar } from '../../codegen/elementwise';
import { checkImage, checkNumber } from '../../validate/arguments';
import { defineOp, image, number } from '../op';

/**
 * Replaces every pixel equal to `valueToReplace` by `valueReplacement` (saturated to the
 * input's dtype, rounding toward zero). Integer images compare exactly; a non-integer
 * `valueToReplace` matches no integer pixel. pyclesperanto: `replace_value`; numpy:
 * `np.where(a == v, sat(r, a.dtype), a)`.
 */
export const replaceValue = defineOp({
  params: [image(), number('valueToReplace', 0), number('valueReplacement', 1)],
  output: 'same',
  tiling: 'pointwise',
}, function replaceValue(input: GpuImage, valueToReplace = 0, valueReplacement = 1): GpuImage {
  checkImage(input, 'replaceValue: input');
  const v = checkNumber(valueToReplace, 'replaceValue: valueToReplace');
  const r = checkNumber(valueReplacement, 'replaceValue: valueReplacement');
  const t = computeType(input.dtype);
  if (t === 'f32') {
    return elementwise({ op: 'replaceValue', inputs: [input], compute: t, scalars: { v, r }, expr: 'select(a, P.r, a == P.v)' });
  }
  const [lo, hi] = dtypeRange(input.dtype);
  const matchable = Number.isInteger(v) && v >= lo && v <= hi;
  if (!matchable) return elementwise({ op: 'replaceValue', inputs: [input], compute: t, expr: 'a' });
  return elementwise({
    op: 'replaceValue',
    inputs: [input],
    compute: t,
    scalars: { v: { type: t, value: v }, r: integerScalar(input.dtype, r) },
    expr: 'select(a, P.r, a == P.v)',
  });
});

/**
 * Replaces NaN, +Inf and -Inf of a float32 image by finite values (defaults: 0 and the
 * largest / smallest float32; pyclesperanto's defaults are float64's limits, which are not
 * float32 numbers). Integer images are returned unchanged (as a copy). pyclesperanto:
 * `nan_to_num`; numpy: `np.nan_to_num(a, nan=..., posinf=..., neginf=...)`.
 */
export const nanToNum = defineOp({
  params: [image(), number('nan', 0), number('posinf', 3.4028234663852886e38), number('neginf', -3.4028234663852886e38)],
  output: 'same',
  tiling: 'pointwise',
}, function nanToNum(input: GpuImage, nan = 0, posinf = 3.4028234663852886e38, neginf = -3.4028234663852886e38): GpuImage {
  checkImage(input, 'nanToNum: input');
  const n = checkNumber(nan, 'nanToNum: nan');
  const p = checkNumber(posinf, 'nanToNum: posinf');
  const m = checkNumber(neginf, 'nanToNum: neginf');
  if (input.dtype !== 'float32') return elementwise({ op: 'nanToNum', inputs: [input], compute: computeType(input.dtype), expr: 'a' });
  return elementwise({
    op: 'nanToNum',
    inputs: [input],
    compute: 'f32',
    scalars: { n, p, m },
    expr: 'select(select(a, select(P.m, P.p, a > 0.0), is_inf(a)), P.n, is_nan(a))',
    helpers: MATH_HELPERS,
  });
});

/**
 * Replaces NaN and ±Inf by 0 (float32 images; integer images are copied unchanged).
 * pyclesperanto: `undefined_to_zero`; numpy: `np.where(np.isfinite(a), a, 0)`.
 */
export const undefinedToZero = defineOp({
  params: [image()],
  output: 'same',
  tiling: 'pointwise',
}, function undefinedToZero(input: GpuImage): GpuImage {
  checkImage(input, 'undefinedToZero: input');
  if (input.dtype !== 'float32') return elementwise({ op: 'undefinedToZero', inputs: [input], compute: computeType(input.dtype), expr: 'a' });
  return elementwise({ op: 'undefinedToZero', inputs: [input], compute: 'f32', expr: 'select(a, 0.0, is_nan(a) || is_inf(a))', helpers: MATH_HELPERS });
});
