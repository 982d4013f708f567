import type { GpuImage } from '../../array/gpu-image';
import { elementwise } from '../../codegen/elementwise';
import { checkImagePair, checkNumber } from '../../validate/arguments';
import { defineOp, image, number } from '../op';

/**
 * `factor1 * input0 + factor2 * input1`, computed in float32; the result is float32.
 * pyclesperanto: `add_images_weighted`; numpy:
 * `np.float32(f1) * a.astype(np.float32) + np.float32(f2) * b.astype(np.float32)`.
 * The GPU may fuse the multiply-add (one rounding fewer than numpy).
 */
export const addImagesWeighted = defineOp({
  params: [image('input0'), image('input1'), number('factor1', 1, [-10, 10]), number('factor2', 1, [-10, 10])],
  output: 'float32',
  tiling: 'pointwise',
}, function addImagesWeighted(input0: GpuImage, input1: GpuImage, factor1 = 1, factor2 = 1): GpuImage {
  const [a, b] = checkImagePair('addImagesWeighted', input0, input1);
  const f1 = checkNumber(factor1, 'addImagesWeighted: factor1');
  const f2 = checkNumber(factor2, 'addImagesWeighted: factor2');
  return elementwise({
    op: 'addImagesWeighted',
    inputs: [a, b],
    output: 'float32',
    compute: 'f32',
    scalars: { f1, f2 },
    expr: 'fma(P.f1, a, P.f2 * b)',
  });
});
