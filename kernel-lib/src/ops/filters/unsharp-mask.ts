import type { GpuImage } from '../../array/gpu-image';
import { checkNumber } from '../../validate/arguments';
import { gaussianInto, sigmaHalo } from './gaussian-blur';
import { type BoundaryOptions, checkBoundary } from '../../validate/modes';
import { checkFilterInput, checkSigmas } from '../../validate/filters';
import { boundaryOptions, defineOp, image, number, sigma } from '../op';

/**
 * Unsharp masking: `input + amount · (input - gaussianBlur(input, radius))`, float32, the
 * Gaussian isotropic with sigma = `radius` on every axis the image has. Not in pyclesperanto;
 * scikit-image: `filters.unsharp_mask(a.astype(np.float32), radius, amount, preserve_range=True)`,
 * which blurs with mode 'reflect' (pass `{ mode: 'reflect' }` for identical results; Tessera's
 * default is 'nearest'). Deviation: no rescaling of integer input to [0, 1] and no clipping
 * (skimage's preserve_range=False behaviour); the sharpened values keep the input's scale.
 * The sharpening is fused into the last blur pass.
 */
export const unsharpMask = defineOp({
  params: [
    image(),
    { ...sigma('radius', 1), doc: 'the Gaussian sigma, on every axis the image has' },
    number('amount', 1, [0, 10]),
    boundaryOptions,
  ],
  output: 'float32',
  tiling: { halo: (p, shape) => sigmaHalo([p.radius, p.radius, p.radius], shape) },
}, function unsharpMask(input: GpuImage, radius = 1, amount = 1, options?: BoundaryOptions): GpuImage {
  const fn = 'unsharpMask';
  const img = checkFilterInput(input, fn);
  const sigmas = checkSigmas(img, fn, ['radius', 'radius', 'radius'], radius, radius, radius);
  const k = checkNumber(amount, `${fn}: amount`);
  return gaussianInto(fn, img, sigmas, checkBoundary(options, fn), [0, 0, 0], {
    expr: 'f32(load_e(i)) + P.amount * (f32(load_e(i)) - v)',
    type: 'f32',
    image: img,
    scalars: { amount: { type: 'f32', value: k } },
  });
});
