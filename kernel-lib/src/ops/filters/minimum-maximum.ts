import { computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { createLike } from '../../array/transfer';
import { cvalFor } from '../../codegen/boundary';
import { FootprintShape, runNeighbourhood } from '../../codegen/neighbourhood';
import { Epilogue, LinePass, runSeparable } from '../../codegen/separable';
import { type BoundaryOptions, type Boundary, checkBoundary } from '../../validate/modes';
import { checkFilterInput, checkRadii, checkConnectivity } from '../../validate/filters';
import { identity } from '../../codegen/snippets';
import { defineOp, footprintOp } from '../op';

/** Box or sphere minimum / maximum; `epilogue` (optional) post-processes the value. @internal */
export function extremeFilter(
  op: string,
  kind: 'min' | 'max',
  shape: FootprintShape,
  input: GpuImage,
  radius: [number, number, number],
  boundary: Boundary,
  output: GpuImage = createLike(input),
  epilogue?: Epilogue,
): GpuImage {
  const t = computeType(input.dtype);
  const cval = cvalFor(boundary.cval, input.dtype).value;
  if (shape === 'box') {
    const passes: LinePass[] = ([2, 1, 0] as const).map((axis) => ({ axis, radius: radius[axis], reduce: { kind } }));
    return runSeparable({ op, input, output, passes, mode: boundary.mode, cval, valueType: t, epilogue });
  }
  const start = identity(kind, t);
  const epi = epilogue
    ? { helpers: `fn finish(v: ${t}, i: u32) -> ${epilogue.type} { return ${epilogue.expr}; }`, post: 'return finish(m, i);' }
    : { helpers: '', post: 'return m;' };
  return runNeighbourhood({
    op,
    input,
    output,
    footprint: { shape, radius },
    mode: boundary.mode,
    cval,
    computeType: epilogue ? epilogue.type : t,
    pre: `var m: ${t} = ${start};`,
    found: `m = ${kind}(m, v);`,
    post: epi.post,
    helpers: epi.helpers,
    inputs: epilogue?.image ? { e: epilogue.image } : undefined,
    scalars: epilogue?.scalars,
  });
}

function extreme(fn: string, kind: 'min' | 'max', shape: FootprintShape, input: GpuImage, rx: number, ry: number, rz: number, options?: BoundaryOptions): GpuImage {
  const img = checkFilterInput(input, fn);
  const radius = checkRadii(img, fn, rx, ry, rz);
  const boundary = checkBoundary(options, fn);
  return extremeFilter(fn, kind, shape, img, radius, boundary);
}

/**
 * Local minimum over a box of (2·radiusX+1) × (2·radiusY+1) × (2·radiusZ+1) pixels (grey
 * erosion); same dtype as the input, exact for every dtype. Runs as separable 1-D passes.
 * pyclesperanto: `minimum_box`; scipy: `ndi.minimum_filter(a, size=(2rz+1, 2ry+1, 2rx+1), mode=...)`.
 * Radii are integers >= 0 (pyclesperanto takes floats and uses int(2r+1)); radiusZ is ignored
 * for 2D images.
 */
export const minimumBox = defineOp(footprintOp('same'), function minimumBox(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return extreme('minimumBox', 'min', 'box', input, radiusX, radiusY, radiusZ, options);
});

/**
 * Local maximum over a box (grey dilation); see {@link minimumBox}. pyclesperanto:
 * `maximum_box`; scipy: `ndi.maximum_filter(a, size=..., mode=...)`.
 */
export const maximumBox = defineOp(footprintOp('same'), function maximumBox(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return extreme('maximumBox', 'max', 'box', input, radiusX, radiusY, radiusZ, options);
});

/**
 * Local minimum over an ellipsoid { (dx/rx)² + (dy/ry)² + (dz/rz)² <= 1 } (axes of radius 0
 * dropped), as pyclesperanto's sphere footprint; same dtype as the input, exact.
 * pyclesperanto: `minimum_sphere`; scipy: `ndi.minimum_filter(a, footprint=ellipsoid, mode=...)`.
 * Deviation: pyclesperanto also drops axes of extent 1; Tessera keeps scipy's reading through
 * the boundary mode there (the same result for min/max under the default 'nearest').
 */
export const minimumSphere = defineOp(footprintOp('same'), function minimumSphere(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return extreme('minimumSphere', 'min', 'sphere', input, radiusX, radiusY, radiusZ, options);
});

/**
 * Local maximum over an ellipsoid; see {@link minimumSphere}. pyclesperanto: `maximum_sphere`
 * (whose radiusZ defaults to 0, kept here); scipy: `ndi.maximum_filter(a, footprint=..., mode=...)`.
 */
export const maximumSphere = defineOp(footprintOp('same', { radiusZ: 0 }), function maximumSphere(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 0, options?: BoundaryOptions,
): GpuImage {
  return extreme('maximumSphere', 'max', 'sphere', input, radiusX, radiusY, radiusZ, options);
});

/**
 * {@link minimumBox} or {@link minimumSphere} by `connectivity` ('box' or 'sphere').
 * pyclesperanto: `minimum_filter`.
 */
export const minimumFilter = defineOp(footprintOp('same', { connectivity: true }), function minimumFilter(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return extreme('minimumFilter', 'min', checkConnectivity(connectivity, 'minimumFilter'), input, radiusX, radiusY, radiusZ, options);
});

/**
 * {@link maximumBox} or {@link maximumSphere} by `connectivity` ('box' or 'sphere').
 * pyclesperanto: `maximum_filter`.
 */
export const maximumFilter = defineOp(footprintOp('same', { connectivity: true }), function maximumFilter(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return extreme('maximumFilter', 'max', checkConnectivity(connectivity, 'maximumFilter'), input, radiusX, radiusY, radiusZ, options);
});
