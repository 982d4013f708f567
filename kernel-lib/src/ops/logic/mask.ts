import { computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { elementwise, zeroOf } from '../../codegen/elementwise';
import { nonZero } from '../../codegen/snippets';
import { checkImagePair, checkNumber } from '../../validate/arguments';
import { defineOp, image, number } from '../op';

/**
 * Keeps `input` where `mask` is non-zero and sets it to 0 elsewhere; the result has
 * `input`'s dtype. pyclesperanto: `mask`; numpy: `np.where(m != 0, a, 0).astype(a.dtype)`.
 */
export const mask = defineOp({
  params: [image(), image('mask')],
  output: 'same',
  tiling: 'pointwise',
}, function mask(input: GpuImage, mask: GpuImage): GpuImage {
  const [a, m] = checkImagePair('mask', input, mask, ['input', 'mask']);
  const t = computeType(a.dtype);
  return elementwise({
    op: 'mask',
    inputs: [a, m],
    compute: t,
    operands: ['native', 'native'],
    expr: `select(${zeroOf(t)}, a, ${nonZero(computeType(m.dtype), 'b')})`,
  });
});

/**
 * Keeps `input0` where the label image `input1` equals `label` (pyclesperanto's test:
 * |label value − label| < 0.1, in float32), 0 elsewhere; the result has `input0`'s dtype.
 * pyclesperanto: `mask_label`; numpy: `np.where(labels == label, a, 0).astype(a.dtype)`.
 */
export const maskLabel = defineOp({
  params: [image('input0'), image('input1'), number('label', 1)],
  output: 'same',
  tiling: 'pointwise',
}, function maskLabel(input0: GpuImage, input1: GpuImage, label = 1): GpuImage {
  const [a, l] = checkImagePair('maskLabel', input0, input1);
  const t = computeType(a.dtype);
  return elementwise({
    op: 'maskLabel',
    inputs: [a, l],
    compute: t,
    operands: ['native', 'f32'],
    scalars: { label: { type: 'f32', value: checkNumber(label, 'maskLabel: label') } },
    expr: `select(${zeroOf(t)}, a, abs(b - P.label) < 0.1)`,
  });
});
