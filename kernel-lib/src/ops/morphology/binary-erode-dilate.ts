import { computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { FootprintShape, runNeighbourhood } from '../../codegen/neighbourhood';
import { LinePass, runSeparable } from '../../codegen/separable';
import { type BoundaryOptions, type Boundary, checkBoundary } from '../../validate/modes';
import { checkFilterInput, checkRadii, checkConnectivity } from '../../validate/filters';
import { nonZero } from '../../codegen/snippets';
import { type OpInfo, boundaryOptions, defineOp, fixedHalo, footprintOp, image } from '../op';


/** The metadata of the radius-1 erosions and dilations. */
const RADIUS_ONE: OpInfo = { params: [image(), boundaryOptions], output: 'uint8', tiling: fixedHalo(1) };

/**
 * Binary erosion (min) or dilation (max) of (input != 0) over a box (separable passes) or an
 * ellipsoid; uint8 0/1 result. Outside the image: the boundary mode; with 'constant' the
 * outside counts as foreground when cval != 0 (scipy's border_value). @internal
 */
export function binaryMorphology(op: string, kind: 'min' | 'max', shape: FootprintShape, input: GpuImage, radius: [number, number, number], boundary: Boundary): GpuImage {
  const output = create(input.shape, 'uint8');
  const prologue = `select(0u, 1u, ${nonZero(computeType(input.dtype), 'x')})`;
  const cval = boundary.cval !== 0 ? 1 : 0;
  if (shape === 'box') {
    const passes: LinePass[] = ([2, 1, 0] as const).map((axis) => ({ axis, radius: radius[axis], reduce: { kind } }));
    return runSeparable({ op, input, output, passes, mode: boundary.mode, cval, valueType: 'u32', prologue });
  }
  return runNeighbourhood({
    op,
    input,
    output,
    footprint: { shape, radius },
    mode: boundary.mode,
    cval,
    valueType: 'u32',
    prologue,
    computeType: 'u32',
    pre: `var m = ${kind === 'min' ? '1u' : '0u'};`,
    found: `m = ${kind}(m, v);`,
    post: 'return m;',
  });
}

function binary(fn: string, kind: 'min' | 'max', shape: FootprintShape, input: GpuImage, rx: number, ry: number, rz: number, options?: BoundaryOptions): GpuImage {
  const img = checkFilterInput(input, fn);
  const radius = checkRadii(img, fn, rx, ry, rz);
  return binaryMorphology(fn, kind, shape, img, radius, checkBoundary(options, fn));
}

/**
 * Binary erosion with radius 1 over the box (Moore) neighbourhood: 8 neighbours in 2D, 26 in
 * 3D. Input of any dtype (non-zero = foreground); result uint8 0/1. pyclesperanto: `erode_box`
 * (whose result has the input's dtype); scipy: `ndi.binary_erosion(a != 0, np.ones((3,)*ndim),
 * border_value=...)`. Outside pixels follow the boundary mode, by default 'nearest' as
 * pyclesperanto (scipy's default border_value=0 corresponds to { mode: 'constant', cval: 0 }).
 */
export const erodeBox = defineOp(RADIUS_ONE, function erodeBox(input: GpuImage, options?: BoundaryOptions): GpuImage {
  return binary('erodeBox', 'min', 'box', input, 1, 1, 1, options);
});

/**
 * Binary erosion with radius 1 over the von Neumann neighbourhood (4 neighbours in 2D, 6 in 3D);
 * uint8 0/1. pyclesperanto: `erode_sphere`; scipy: `ndi.binary_erosion(a != 0,
 * ndi.generate_binary_structure(ndim, 1), border_value=...)`. See {@link erodeBox}.
 */
export const erodeSphere = defineOp(RADIUS_ONE, function erodeSphere(input: GpuImage, options?: BoundaryOptions): GpuImage {
  return binary('erodeSphere', 'min', 'sphere', input, 1, 1, 1, options);
});

/** Binary dilation with radius 1 over the box neighbourhood; uint8 0/1. pyclesperanto: `dilate_box`; scipy: `ndi.binary_dilation`. See {@link erodeBox}. */
export const dilateBox = defineOp(RADIUS_ONE, function dilateBox(input: GpuImage, options?: BoundaryOptions): GpuImage {
  return binary('dilateBox', 'max', 'box', input, 1, 1, 1, options);
});

/** Binary dilation with radius 1 over the von Neumann neighbourhood; uint8 0/1. pyclesperanto: `dilate_sphere`. See {@link erodeSphere}. */
export const dilateSphere = defineOp(RADIUS_ONE, function dilateSphere(input: GpuImage, options?: BoundaryOptions): GpuImage {
  return binary('dilateSphere', 'max', 'sphere', input, 1, 1, 1, options);
});

/**
 * Binary erosion of (input != 0) with a box or ellipsoid (`connectivity` 'box' or 'sphere')
 * of the given integer radii; uint8 0/1. pyclesperanto: `binary_erode`; scipy:
 * `ndi.binary_erosion(a != 0, footprint, border_value=...)`. Boxes run as separable passes.
 */
export const binaryErode = defineOp(footprintOp('uint8', { connectivity: true }), function binaryErode(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return binary('binaryErode', 'min', checkConnectivity(connectivity, 'binaryErode'), input, radiusX, radiusY, radiusZ, options);
});

/** Binary dilation; see {@link binaryErode}. pyclesperanto: `binary_dilate`; scipy: `ndi.binary_dilation`. */
export const binaryDilate = defineOp(footprintOp('uint8', { connectivity: true }), function binaryDilate(
  input: GpuImage, radiusX = 1, radiusY = 1, radiusZ = 1, connectivity = 'box', options?: BoundaryOptions,
): GpuImage {
  return binary('binaryDilate', 'max', checkConnectivity(connectivity, 'binaryDilate'), input, radiusX, radiusY, radiusZ, options);
});
