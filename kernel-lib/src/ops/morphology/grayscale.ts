import type { GpuImage } from '../../array/gpu-image';
import { extremeFilter } from '../filters/minimum-maximum';
import { type BoundaryOptions, checkBoundary } from '../../validate/modes';
import { checkFilterInput, checkRadii, checkConnectivity } from '../../validate/filters';
import { defineOp, footprintOp } from '../op';

function grey(fn: string, kind: 'min' | 'max', input: GpuImage, rx: number, ry: number, rz: number, connectivity: string, options?: BoundaryOptions): GpuImage {
  const img = checkFilterInput(input, fn);
  const radius = checkRadii(img, fn, rx, ry, rz);
  const shape = checkConnectivity(connectivity, fn);
  return extremeFilter(fn, kind, shape, img, radius, checkBoundary(options, fn));
}

/**
 * Grey erosion: the local minimum over a box or ellipsoid (`connectivity`), same dtype.
 * pyclesperanto: `grayscale_erode` (= `minimum_filter`); scipy: `ndi.grey_erosion(a, footprint=..., mode=...)`.
 */
export const grayscaleErode = defineOp(footprintOp('same', { connectivity: true }), function grayscaleErode(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return grey('grayscaleErode', 'min', input, radiusX, radiusY, radiusZ, connectivity, options);
});

/**
 * Grey dilation: the local maximum over a box or ellipsoid, same dtype. pyclesperanto:
 * `grayscale_dilate` (= `maximum_filter`); scipy: `ndi.grey_dilation(a, footprint=..., mode=...)`.
 */
export const grayscaleDilate = defineOp(footprintOp('same', { connectivity: true }), function grayscaleDilate(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return grey('grayscaleDilate', 'max', input, radiusX, radiusY, radiusZ, connectivity, options);
});
