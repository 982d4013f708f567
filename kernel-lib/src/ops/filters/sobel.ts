import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { runNeighbourhood } from '../../codegen/neighbourhood';
import { type BoundaryOptions, checkBoundary } from '../../validate/modes';
import { checkFilterInput } from '../../validate/filters';
import { boundaryOptions, defineOp, fixedHalo, image } from '../op';

/**
 * Sobel gradient magnitude sqrt(Σ_axis s_axis²), float32, where s_axis is the derivative
 * [-1, 0, 1] along the axis smoothed with [1, 2, 1] along every other axis of the image (2D:
 * 3×3, 3D: 3×3×3 Sobel–Feldman). pyclesperanto: `sobel`; scipy:
 * `np.sqrt(sum(ndi.sobel(f, axis=k, mode=...)**2 for k in range(f.ndim)))` with
 * `f = a.astype(np.float32)`. One pass over the 3^ndim neighbourhood (no intermediate images).
 */
export const sobel = defineOp({ params: [image(), boundaryOptions], output: 'float32', tiling: fixedHalo(1) }, function sobel(
  input: GpuImage, options?: BoundaryOptions,
): GpuImage {
  const fn = 'sobel';
  const img = checkFilterInput(input, fn);
  const boundary = checkBoundary(options, fn);
  const nd = img.ndim;
  const r: [number, number, number] = [1, nd >= 2 ? 1 : 0, nd >= 3 ? 1 : 0];
  // Weight of axis a's derivative at offset (dx, dy, dz): d_a · Π_{b != a, b present} (2 - |d_b|).
  const offsets = ['dx', 'dy', 'dz'].slice(0, nd);
  const weight = (a: number) =>
    [`f32(${offsets[a]})`, ...offsets.filter((_, b) => b !== a).map((o) => `f32(2 - abs(${o}))`)].join(' * ');
  const sums = offsets.map((_, a) => `g${a}`);
  return runNeighbourhood({
    op: fn,
    input: img,
    output: create(img.shape, 'float32'),
    footprint: { shape: 'box', radius: r },
    mode: boundary.mode,
    cval: boundary.cval,
    valueType: 'f32',
    computeType: 'f32',
    pre: sums.map((g) => `var ${g} = 0.0;`).join('\n  '),
    found: sums.map((g, a) => `${g} += v * ${weight(a)};`).join('\n        '),
    post: `return sqrt(${sums.map((g) => `${g} * ${g}`).join(' + ')});`,
  });
});
