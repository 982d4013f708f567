import type { GpuImage } from '../../array/gpu-image';
import { TesseraError } from '../../errors';
import { gaussianInto, sigmaHalo } from './gaussian-blur';
import { type BoundaryOptions, checkBoundary } from '../../validate/modes';
import { checkFilterInput, checkSigmas } from '../../validate/filters';
import { boundaryOptions, defineOp, image, sigma } from '../op';

/**
 * Laplacian of Gaussian: the sum over axes of the second Gaussian derivative along that axis
 * (smoothed with the same sigmas along the others); float32. Not in pyclesperanto; scipy:
 * `ndi.gaussian_laplace(a.astype(np.float32), (sigmaZ, sigmaY, sigmaX), mode=..., truncate=4.0)`.
 * The terms are added in scipy's axis order (z, y, x).
 *
 * Deviation: an axis with sigma 0 is neither smoothed nor differentiated (so sigmaZ = 0 gives
 * the 2D LoG of every slice); scipy would instead add the plain smoothed image for that axis.
 * At least one sigma must be > 0.
 */
export const laplacianOfGaussian = defineOp({
  params: [image(), sigma('sigmaX', 1), sigma('sigmaY', 1), sigma('sigmaZ', 1), boundaryOptions],
  output: 'float32',
  tiling: { halo: (p, shape) => sigmaHalo([p.sigmaZ, p.sigmaY, p.sigmaX], shape) },
}, function laplacianOfGaussian(input: GpuImage, sigmaX = 1, sigmaY = 1, sigmaZ = 1, options?: BoundaryOptions): GpuImage {
  const fn = 'laplacianOfGaussian';
  const img = checkFilterInput(input, fn);
  const sigmas = checkSigmas(img, fn, ['sigmaX', 'sigmaY', 'sigmaZ'], sigmaX, sigmaY, sigmaZ);
  const boundary = checkBoundary(options, fn);
  const axes = ([2, 1, 0] as const).filter((a) => sigmas[a] > 1e-15);
  if (axes.length === 0) throw new TesseraError(`${fn}: at least one of sigmaX, sigmaY, sigmaZ must be > 0`);
  let sum: GpuImage | undefined;
  for (const a of axes) {
    const orders: (0 | 2)[] = [0, 0, 0];
    orders[a] = 2;
    const next: GpuImage = sum
      ? gaussianInto(fn, img, sigmas, boundary, orders, { expr: 'load_e(i) + v', type: 'f32', image: sum })
      : gaussianInto(fn, img, sigmas, boundary, orders);
    sum?.release();
    sum = next;
  }
  return sum!;
});
