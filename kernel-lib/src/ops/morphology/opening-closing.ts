import type { GpuImage } from '../../array/gpu-image';
import { createLike } from '../../array/transfer';
import type { FootprintShape } from '../../codegen/neighbourhood';
import { extremeFilter } from '../filters/minimum-maximum';
import { binaryMorphology } from './binary-erode-dilate';
import { type BoundaryOptions, checkBoundary } from '../../validate/modes';
import { checkFilterInput, checkRadii, checkConnectivity } from '../../validate/filters';
import { defineOp, footprintOp } from '../op';

function grey(fn: string, opening: boolean, shape: FootprintShape, input: GpuImage, rx: number, ry: number, rz: number, options?: BoundaryOptions): GpuImage {
  const img = checkFilterInput(input, fn);
  const radius = checkRadii(img, fn, rx, ry, rz);
  const boundary = checkBoundary(options, fn);
  const first = extremeFilter(fn, opening ? 'min' : 'max', shape, img, radius, boundary);
  const out = extremeFilter(fn, opening ? 'max' : 'min', shape, first, radius, boundary, createLike(img));
  first.release();
  return out;
}

function binary(fn: string, opening: boolean, shape: FootprintShape, input: GpuImage, rx: number, ry: number, rz: number, options?: BoundaryOptions): GpuImage {
  const img = checkFilterInput(input, fn);
  const radius = checkRadii(img, fn, rx, ry, rz);
  const boundary = checkBoundary(options, fn);
  const first = binaryMorphology(fn, opening ? 'min' : 'max', shape, img, radius, boundary);
  const out = binaryMorphology(fn, opening ? 'max' : 'min', shape, first, radius, boundary);
  first.release();
  return out;
}

/**
 * Grey opening with a box: maximum of the minimum (`maximumBox(minimumBox(input))`), same
 * dtype. pyclesperanto: `opening_box`; scipy: `ndi.grey_opening(a, size=(2rz+1, 2ry+1, 2rx+1), mode=...)`.
 */
export const openingBox = defineOp(footprintOp('same', { reach: 2 }), function openingBox(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return grey('openingBox', true, 'box', input, radiusX, radiusY, radiusZ, options);
});

/** Grey opening with an ellipsoid; same dtype. pyclesperanto: `opening_sphere`; scipy: `ndi.grey_opening(a, footprint=...)`. */
export const openingSphere = defineOp(footprintOp('same', { reach: 2 }), function openingSphere(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return grey('openingSphere', true, 'sphere', input, radiusX, radiusY, radiusZ, options);
});

/**
 * Grey closing with a box: minimum of the maximum, same dtype. pyclesperanto: `closing_box`;
 * scipy: `ndi.grey_closing(a, size=..., mode=...)`.
 */
export const closingBox = defineOp(footprintOp('same', { reach: 2 }), function closingBox(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return grey('closingBox', false, 'box', input, radiusX, radiusY, radiusZ, options);
});

/** Grey closing with an ellipsoid; same dtype. pyclesperanto: `closing_sphere`; scipy: `ndi.grey_closing(a, footprint=...)`. */
export const closingSphere = defineOp(footprintOp('same', { reach: 2 }), function closingSphere(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return grey('closingSphere', false, 'sphere', input, radiusX, radiusY, radiusZ, options);
});

/** {@link openingBox} or {@link openingSphere} by `connectivity`. pyclesperanto: `grayscale_opening`. */
export const grayscaleOpening = defineOp(footprintOp('same', { reach: 2, connectivity: true }), function grayscaleOpening(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return grey('grayscaleOpening', true, checkConnectivity(connectivity, 'grayscaleOpening'), input, radiusX, radiusY, radiusZ, options);
});

/** {@link closingBox} or {@link closingSphere} by `connectivity`. pyclesperanto: `grayscale_closing`. */
export const grayscaleClosing = defineOp(footprintOp('same', { reach: 2, connectivity: true }), function grayscaleClosing(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return grey('grayscaleClosing', false, checkConnectivity(connectivity, 'grayscaleClosing'), input, radiusX, radiusY, radiusZ, options);
});

/**
 * Binary opening: binary dilation of the binary erosion of (input != 0); uint8 0/1.
 * pyclesperanto: `binary_opening`; scipy: `ndi.binary_opening(a != 0, footprint)` (scipy pads
 * with border_value 0 in both steps; Tessera uses the boundary mode, default 'nearest').
 */
export const binaryOpening = defineOp(footprintOp('uint8', { reach: 2, connectivity: true }), function binaryOpening(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return binary('binaryOpening', true, checkConnectivity(connectivity, 'binaryOpening'), input, radiusX, radiusY, radiusZ, options);
});

/** Binary closing: erosion of the dilation; uint8 0/1. pyclesperanto: `binary_closing`; scipy: `ndi.binary_closing`. See {@link binaryOpening}. */
export const binaryClosing = defineOp(footprintOp('uint8', { reach: 2, connectivity: true }), function binaryClosing(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return binary('binaryClosing', false, checkConnectivity(connectivity, 'binaryClosing'), input, radiusX, radiusY, radiusZ, options);
});
