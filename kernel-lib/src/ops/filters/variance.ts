import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { FootprintShape, footprintCount, runNeighbourhood } from '../../codegen/neighbourhood';
import { type BoundaryOptions, checkBoundary } from '../../validate/modes';
import { checkFilterInput, checkRadii, checkConnectivity } from '../../validate/filters';
import { defineOp, footprintOp } from '../op';

/**
 * Population variance (divided by the count) of the footprint, float32, in one pass over
 * values shifted by the centre pixel (which keeps float32 cancellation small).
 */
function varianceOf(fn: string, shape: FootprintShape, sqrt: boolean, input: GpuImage, rx: number, ry: number, rz: number, options?: BoundaryOptions): GpuImage {
  const img = checkFilterInput(input, fn);
  const radius = checkRadii(img, fn, rx, ry, rz);
  const boundary = checkBoundary(options, fn);
  const footprint = { shape, radius };
  return runNeighbourhood({
    op: fn,
    input: img,
    output: create(img.shape, 'float32'),
    footprint,
    mode: boundary.mode,
    cval: boundary.cval,
    valueType: 'f32',
    computeType: 'f32',
    pre: 'let c0 = f32(at_a(c));\n  var s = 0.0;\n  var s2 = 0.0;',
    found: 'let d0 = v - c0;\n        s += d0;\n        s2 += d0 * d0;',
    post: `let m = s / P.count;\n  let variance = max(s2 / P.count - m * m, 0.0);\n  return ${sqrt ? 'sqrt(variance)' : 'variance'};`,
    scalars: { count: { type: 'f32', value: footprintCount(footprint) } },
  });
}

/**
 * Local variance (population, divided by the pixel count) over a box; float32.
 * pyclesperanto: `variance_box`; scipy: `ndi.generic_filter(a.astype(np.float64), np.var,
 * size=(2rz+1, 2ry+1, 2rx+1), mode=...)`.
 */
export const varianceBox = defineOp(footprintOp('float32'), function varianceBox(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return varianceOf('varianceBox', 'box', false, input, radiusX, radiusY, radiusZ, options);
});

/** Local variance over an ellipsoid; see {@link varianceBox}. pyclesperanto: `variance_sphere`. */
export const varianceSphere = defineOp(footprintOp('float32'), function varianceSphere(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return varianceOf('varianceSphere', 'sphere', false, input, radiusX, radiusY, radiusZ, options);
});

/** {@link varianceBox} or {@link varianceSphere} by `connectivity`. pyclesperanto: `variance_filter`. */
export const varianceFilter = defineOp(footprintOp('float32', { connectivity: true }), function varianceFilter(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return varianceOf('varianceFilter', checkConnectivity(connectivity, 'varianceFilter'), false, input, radiusX, radiusY, radiusZ, options);
});

/**
 * Local standard deviation (square root of {@link varianceBox}); float32.
 * pyclesperanto: `standard_deviation_box`; scipy: `ndi.generic_filter(a, np.std, size=...)`.
 */
export const standardDeviationBox = defineOp(footprintOp('float32'), function standardDeviationBox(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return varianceOf('standardDeviationBox', 'box', true, input, radiusX, radiusY, radiusZ, options);
});

/** Local standard deviation over an ellipsoid; float32. pyclesperanto: `standard_deviation_sphere`. */
export const standardDeviationSphere = defineOp(footprintOp('float32'), function standardDeviationSphere(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return varianceOf('standardDeviationSphere', 'sphere', true, input, radiusX, radiusY, radiusZ, options);
});

/** {@link standardDeviationBox} or {@link standardDeviationSphere} by `connectivity`. pyclesperanto: `standard_deviation`. */
export const standardDeviation = defineOp(footprintOp('float32', { connectivity: true }), function standardDeviation(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return varianceOf('standardDeviation', checkConnectivity(connectivity, 'standardDeviation'), true, input, radiusX, radiusY, radiusZ, options);
});
