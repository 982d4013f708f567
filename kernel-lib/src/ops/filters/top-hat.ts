import type { GpuImage } from '../../array/gpu-image';
import { create, createLike } from '../../array/transfer';
import type { FootprintShape } from '../../codegen/neighbourhood';
import { extremeFilter } from './minimum-maximum';
import { type BoundaryOptions, checkBoundary } from '../../validate/modes';
import { checkFilterInput, checkRadii, checkConnectivity } from '../../validate/filters';
import { defineOp, footprintOp } from '../op';

/**
 * Top hat `input - opening(input)` (opening = minimum then maximum filter) or bottom hat
 * `closing(input) - input` (closing = maximum then minimum); float32, as pyclesperanto's
 * (which subtracts with add_images_weighted). The subtraction is fused into the second filter.
 */
function hat(fn: string, top: boolean, shape: FootprintShape, input: GpuImage, rx: number, ry: number, rz: number, options?: BoundaryOptions): GpuImage {
  const img = checkFilterInput(input, fn);
  const radius = checkRadii(img, fn, rx, ry, rz);
  const boundary = checkBoundary(options, fn);
  const first = extremeFilter(fn, top ? 'min' : 'max', shape, img, radius, boundary, createLike(img));
  const out = extremeFilter(fn, top ? 'max' : 'min', shape, first, radius, boundary, create(img.shape, 'float32'), {
    expr: top ? 'f32(load_e(i)) - f32(v)' : 'f32(v) - f32(load_e(i))',
    type: 'f32',
    image: img,
  });
  first.release();
  return out;
}

/**
 * Top-hat filter with a box footprint: `input - maximumBox(minimumBox(input))`, float32.
 * Removes background larger than the box. pyclesperanto: `top_hat_box`; scipy:
 * `a.astype(np.float32) - ndi.grey_opening(a, size=(2rz+1, 2ry+1, 2rx+1), mode=...)`.
 */
export const topHatBox = defineOp(footprintOp('float32', { reach: 2 }), function topHatBox(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return hat('topHatBox', true, 'box', input, radiusX, radiusY, radiusZ, options);
});

/** Top hat with an ellipsoid footprint; float32. pyclesperanto: `top_hat_sphere`; scipy: `ndi.white_tophat` with that footprint. */
export const topHatSphere = defineOp(footprintOp('float32', { reach: 2 }), function topHatSphere(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return hat('topHatSphere', true, 'sphere', input, radiusX, radiusY, radiusZ, options);
});

/** {@link topHatBox} or {@link topHatSphere} by `connectivity`. pyclesperanto: `top_hat`. */
export const topHat = defineOp(footprintOp('float32', { reach: 2, connectivity: true }), function topHat(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return hat('topHat', true, checkConnectivity(connectivity, 'topHat'), input, radiusX, radiusY, radiusZ, options);
});

/**
 * Bottom-hat filter with a box footprint: `minimumBox(maximumBox(input)) - input`, float32.
 * pyclesperanto: `bottom_hat_box`; scipy: `ndi.grey_closing(a, size=..., mode=...) - a` in float32.
 */
export const bottomHatBox = defineOp(footprintOp('float32', { reach: 2 }), function bottomHatBox(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return hat('bottomHatBox', false, 'box', input, radiusX, radiusY, radiusZ, options);
});

/** Bottom hat with an ellipsoid footprint; float32. pyclesperanto: `bottom_hat_sphere`. */
export const bottomHatSphere = defineOp(footprintOp('float32', { reach: 2 }), function bottomHatSphere(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return hat('bottomHatSphere', false, 'sphere', input, radiusX, radiusY, radiusZ, options);
});

/** {@link bottomHatBox} or {@link bottomHatSphere} by `connectivity`. pyclesperanto: `bottom_hat`. */
export const bottomHat = defineOp(footprintOp('float32', { reach: 2, connectivity: true }), function bottomHat(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return hat('bottomHat', false, checkConnectivity(connectivity, 'bottomHat'), input, radiusX, radiusY, radiusZ, options);
});
