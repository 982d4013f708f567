import type { GpuImage } from '../../array/gpu-image';
import { elementwise } from '../../codegen/elementwise';
import { nonZero } from '../../codegen/snippets';
import { computeType } from '../../dtype';
import { checkImage, checkImagePair } from '../../validate/arguments';
import { type OpInfo, defineOp, image } from '../op';

/**
 * Logical operations on binary images. Inputs of any dtype; a pixel counts as "true" when it
 * is non-zero (NaN counts as true, as in numpy). Result: uint8 holding 0 or 1.
 */
function logical2(fn: string, input0: GpuImage, input1: GpuImage, expr: string): GpuImage {
  const [a, b] = checkImagePair(fn, input0, input1);
  const nz = (name: 'a' | 'b', img: GpuImage) => nonZero(computeType(img.dtype), name);
  return elementwise({
    op: fn,
    inputs: [a, b],
    output: 'uint8',
    compute: 'u32',
    operands: ['native', 'native'],
    result: 'u32',
    expr: `select(0u, 1u, ${expr.replace('A', nz('a', a)).replace('B', nz('b', b))})`,
  });
}

/** The metadata of the logical operations: a 0/1 uint8 image, pointwise. */
const PAIR: OpInfo = { params: [image('input0'), image('input1')], output: 'uint8', tiling: 'pointwise' };

/** 1 where both inputs are non-zero. pyclesperanto: `binary_and`; numpy: `np.logical_and(a, b)`. */
export const binaryAnd = defineOp(PAIR, function binaryAnd(input0: GpuImage, input1: GpuImage): GpuImage {
  return logical2('binaryAnd', input0, input1, 'A && B');
});

/** 1 where either input is non-zero. pyclesperanto: `binary_or`; numpy: `np.logical_or(a, b)`. */
export const binaryOr = defineOp(PAIR, function binaryOr(input0: GpuImage, input1: GpuImage): GpuImage {
  return logical2('binaryOr', input0, input1, 'A || B');
});

/** 1 where exactly one input is non-zero. pyclesperanto: `binary_xor`; numpy: `np.logical_xor(a, b)`. */
export const binaryXor = defineOp(PAIR, function binaryXor(input0: GpuImage, input1: GpuImage): GpuImage {
  return logical2('binaryXor', input0, input1, 'A != B');
});

/** 1 where `input0` is non-zero and `input1` is zero. pyclesperanto: `binary_subtract`; numpy: `a.astype(bool) & ~b.astype(bool)`. */
export const binarySubtract = defineOp(PAIR, function binarySubtract(input0: GpuImage, input1: GpuImage): GpuImage {
  return logical2('binarySubtract', input0, input1, 'A && !B');
});

/** 1 where the input is zero. pyclesperanto: `binary_not`; numpy: `np.logical_not(a)`. */
export const binaryNot = defineOp({ ...PAIR, params: [image()] }, function binaryNot(input: GpuImage): GpuImage {
  checkImage(input, 'binaryNot: input');
  const t = computeType(input.dtype);
  return elementwise({ op: 'binaryNot', inputs: [input], output: 'uint8', compute: t, result: 'u32', expr: `select(0u, 1u, !${nonZero(t, 'a')})` });
});
