import type { GpuImage } from '../../array/gpu-image';
import { elementwise } from '../../codegen/elementwise';
import { checkInteger, checkImage } from '../../validate/arguments';
import { defineOp, image, integer, positional } from '../op';

/**
 * Multiplies each pixel by its coordinate along `dimension` (0 = x, 1 = y, 2 = z), as
 * float32. pyclesperanto: `multiply_image_and_position`; numpy (3D):
 * `a * np.arange(a.shape[2 - dimension]).reshape(...)` along that axis.
 */
export const multiplyImageAndPosition = defineOp({
  params: [image(), integer('dimension', 0, 0, 2)],
  output: 'float32',
  tiling: positional,
}, function multiplyImageAndPosition(input: GpuImage, dimension = 0): GpuImage {
  checkImage(input, 'multiplyImageAndPosition: input');
  const d = checkInteger(dimension, 'multiplyImageAndPosition: dimension', 0, Math.max(0, input.ndim - 1));
  return elementwise({
    op: 'multiplyImageAndPosition',
    inputs: [input],
    output: 'float32',
    compute: 'f32',
    coords: true,
    expr: `a * f32(c.${'xyzw'[d]})`,
  });
});
