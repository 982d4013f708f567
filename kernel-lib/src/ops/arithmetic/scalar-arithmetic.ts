import { createLike } from '../../array/transfer';
import type { GpuImage } from '../../array/gpu-image';
import { runPixelProgram } from '../../codegen/program';
import { checkImage, checkNumber } from '../../validate/arguments';

/** Image-and-scalar arithmetic: computed in float32, saved in the input's dtype with saturation. */
function scalarOp(name: string, expression: string, input: GpuImage, scalar: number): GpuImage {
  checkImage(input, `${name}: input`);
  checkNumber(scalar, `${name}: scalar`);
  return runPixelProgram({
    op: name,
    inputs: { a: input },
    output: createLike(input),
    scalars: { s: { type: 'f32', value: scalar } },
    computeType: 'f32',
    body: `return ${expression};`,
  });
}

/**
 * `input + scalar`. Computed in float32 and stored in the input's dtype, saturating and
 * rounding toward zero for integer types (as pyclesperanto's `add_image_and_scalar`).
 * 32-bit integer pixels above 2^24 lose precision in the float32 step.
 */
export function addImageAndScalar(input: GpuImage, scalar = 1): GpuImage {
  return scalarOp('addImageAndScalar', 'f32(load_a(i)) + P.s', input, scalar);
}

/** `input * scalar`, with the dtype rules of {@link addImageAndScalar}. pyclesperanto: `multiply_image_and_scalar`. */
export function multiplyImageAndScalar(input: GpuImage, scalar = 1): GpuImage {
  return scalarOp('multiplyImageAndScalar', 'f32(load_a(i)) * P.s', input, scalar);
}
