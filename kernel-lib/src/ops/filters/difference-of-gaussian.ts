import type { GpuImage } from '../../array/gpu-image';
import { gaussianInto, sigmaHalo } from './gaussian-blur';
import { type BoundaryOptions, checkBoundary } from '../../validate/modes';
import { checkFilterInput, checkSigmas } from '../../validate/filters';
import { Halo, boundaryOptions, defineOp, image, sigma } from '../op';

/**
 * Difference of Gaussians: `gaussianBlur(input, sigma1) - gaussianBlur(input, sigma2)`, float32.
 * pyclesperanto: `difference_of_gaussian` (same defaults); scipy:
 * `ndi.gaussian_filter(f, (s1z, s1y, s1x)) - ndi.gaussian_filter(f, (s2z, s2y, s2x))` with
 * `f = a.astype(np.float32)`. The subtraction is fused into the last pass of the first blur.
 */
export const differenceOfGaussian = defineOp({
  params: [
    image(),
    sigma('sigma1X', 2), sigma('sigma1Y', 2), sigma('sigma1Z', 2),
    sigma('sigma2X', 2), sigma('sigma2Y', 2), sigma('sigma2Z', 2),
    boundaryOptions,
  ],
  output: 'float32',
  // Both blurs read the input: the larger Gaussian radius per axis.
  tiling: {
    halo: (p, shape) => {
      const h2 = sigmaHalo([p.sigma2Z, p.sigma2Y, p.sigma2X], shape);
      return sigmaHalo([p.sigma1Z, p.sigma1Y, p.sigma1X], shape).map((h, k) => Math.max(h, h2[k])) as Halo;
    },
  },
}, function differenceOfGaussian(
  input: GpuImage,
  sigma1X = 2, sigma1Y = 2, sigma1Z = 2,
  sigma2X = 2, sigma2Y = 2, sigma2Z = 2,
  options?: BoundaryOptions,
): GpuImage {
  const fn = 'differenceOfGaussian';
  const img = checkFilterInput(input, fn);
  const s1 = checkSigmas(img, fn, ['sigma1X', 'sigma1Y', 'sigma1Z'], sigma1X, sigma1Y, sigma1Z);
  const s2 = checkSigmas(img, fn, ['sigma2X', 'sigma2Y', 'sigma2Z'], sigma2X, sigma2Y, sigma2Z);
  const boundary = checkBoundary(options, fn);
  const g2 = gaussianInto(fn, img, s2, boundary);
  const out = gaussianInto(fn, img, s1, boundary, [0, 0, 0], { expr: 'v - load_e(i)', type: 'f32', image: g2 });
  g2.release();
  return out;
});
