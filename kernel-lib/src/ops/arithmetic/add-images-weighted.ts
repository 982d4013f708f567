import { create } from '../../array/transfer';
import type { GpuImage } from '../../array/gpu-image';
import { runPixelProgram } from '../../codegen/program';
import { checkImage, checkNumber, checkSameShape } from '../../validate/arguments';

/**
 * `factor0 * input0 + factor1 * input1`, computed in float32; the result is float32.
 * pyclesperanto: `add_images_weighted`. numpy: `f0 * a.astype(np.float32) + f1 * b`.
 */
export function addImagesWeighted(input0: GpuImage, input1: GpuImage, factor0 = 1, factor1 = 1): GpuImage {
  checkImage(input0, 'addImagesWeighted: input0');
  checkImage(input1, 'addImagesWeighted: input1');
  checkSameShape(input0, input1, ['addImagesWeighted: input0', 'input1']);
  checkNumber(factor0, 'addImagesWeighted: factor0');
  checkNumber(factor1, 'addImagesWeighted: factor1');
  return runPixelProgram({
    op: 'addImagesWeighted',
    inputs: { a: input0, b: input1 },
    output: create(input0.shape, 'float32'),
    scalars: { f0: { type: 'f32', value: factor0 }, f1: { type: 'f32', value: factor1 } },
    computeType: 'f32',
    body: 'return fma(P.f0, f32(load_a(i)), P.f1 * f32(load_b(i)));',
  });
}
