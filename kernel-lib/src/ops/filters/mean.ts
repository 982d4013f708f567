import { isFloat } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { createLike } from '../../array/transfer';
import { FootprintShape, footprintCount, runNeighbourhood } from '../../codegen/neighbourhood';
import { LinePass, runSeparable } from '../../codegen/separable';
import { boxCount } from './common';
import { type BoundaryOptions, type Boundary, checkBoundary } from '../../validate/modes';
import { checkFilterInput, checkRadii, checkConnectivity } from '../../validate/filters';
import { defineOp, footprintOp } from '../op';

/**
 * The division by the pixel count. Integer outputs get trunc(sum / count) exactly: the sum of
 * integer pixels is an exact float32 integer (below 2^24), and moving it half a step toward
 * ±infinity keeps the quotient clear of integers that float rounding could cross.
 */
function meanEpilogue(exactInteger: boolean): string {
  return exactInteger ? '(v + select(-0.5, 0.5, v >= 0.0)) / P.count' : 'v / P.count';
}

/** @internal */
export function meanFilterOf(op: string, shape: FootprintShape, input: GpuImage, radius: [number, number, number], boundary: Boundary): GpuImage {
  const output = createLike(input);
  const exactInteger = !isFloat(input.dtype) && (boundary.mode !== 'constant' || Number.isInteger(boundary.cval));
  const expr = meanEpilogue(exactInteger);
  if (shape === 'box') {
    const count = boxCount(radius);
    // Each sum pass pads its input, which holds sums over the earlier passes' windows, with
    // cval times their size: the same as padding the image with cval (scipy's mean passes).
    let window = 1;
    const passes: LinePass[] = ([2, 1, 0] as const).map((axis) => {
      const pass: LinePass = { axis, radius: radius[axis], reduce: { kind: 'sum' }, cval: boundary.cval * window };
      window *= 2 * radius[axis] + 1;
      return pass;
    });
    return runSeparable({
      op, input, output, passes, mode: boundary.mode, cval: boundary.cval, valueType: 'f32',
      epilogue: { expr, type: 'f32', scalars: { count: { type: 'f32', value: count } } },
    });
  }
  const footprint = { shape, radius };
  return runNeighbourhood({
    op,
    input,
    output,
    footprint,
    mode: boundary.mode,
    cval: boundary.cval,
    valueType: 'f32',
    computeType: 'f32',
    pre: 'var s = 0.0;',
    found: 's += v;',
    post: `let v = s;\n  return ${expr};`,
    scalars: { count: { type: 'f32', value: footprintCount(footprint) } },
  });
}

function mean(fn: string, shape: FootprintShape, input: GpuImage, rx: number, ry: number, rz: number, options?: BoundaryOptions): GpuImage {
  const img = checkFilterInput(input, fn);
  const radius = checkRadii(img, fn, rx, ry, rz);
  return meanFilterOf(fn, shape, img, radius, checkBoundary(options, fn));
}

/**
 * Local mean over a box of (2·radiusX+1) × (2·radiusY+1) × (2·radiusZ+1) pixels, as separable
 * sums; same dtype as the input (integer results truncated toward zero and saturated, as
 * pyclesperanto's conversion). pyclesperanto: `mean_box`; scipy:
 * `ndi.uniform_filter(a.astype(np.float32), size=(2rz+1, 2ry+1, 2rx+1), mode=...)`.
 * For integer input the result is exactly trunc(sum / count) while the window sum stays below
 * 2^24 (pyclesperanto rounds its intermediate passes to the input dtype instead).
 */
export const meanBox = defineOp(footprintOp('same'), function meanBox(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return mean('meanBox', 'box', input, radiusX, radiusY, radiusZ, options);
});

/**
 * Local mean over an ellipsoid { (dx/rx)² + (dy/ry)² + (dz/rz)² <= 1 }, same dtype rules as
 * {@link meanBox}. pyclesperanto: `mean_sphere`; scipy: `ndi.correlate(a.astype(np.float64),
 * footprint / footprint.sum(), mode=...)`. Deviation: pyclesperanto drops axes of extent 1
 * from the footprint; Tessera reads them through the boundary mode, as scipy.
 */
export const meanSphere = defineOp(footprintOp('same'), function meanSphere(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, options?: BoundaryOptions,
): GpuImage {
  return mean('meanSphere', 'sphere', input, radiusX, radiusY, radiusZ, options);
});

/** {@link meanBox} or {@link meanSphere} by `connectivity`. pyclesperanto: `mean_filter`. */
export const meanFilter = defineOp(footprintOp('same', { connectivity: true }), function meanFilter(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return mean('meanFilter', checkConnectivity(connectivity, 'meanFilter'), input, radiusX, radiusY, radiusZ, options);
});
