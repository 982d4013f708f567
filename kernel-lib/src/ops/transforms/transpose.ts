import { computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { runPixelProgram } from '../../codegen/program';
import { checkDims, checkImage } from '../../validate/arguments';
import { type OpInfo, defineOp, image } from '../op';

/**
 * A gather whose output pixel c reads the input at `read`, a permutation (possibly mirrored)
 * of c's x, y, z. Shared by the transposes and the reslices.
 */
export function permute(fn: string, input: GpuImage, outShape: number[], read: string): GpuImage {
  return runPixelProgram({
    op: fn,
    inputs: { a: input },
    output: create(outShape, input.dtype),
    coords: true,
    computeType: computeType(input.dtype),
    body: `return at_a(vec4<i32>(${read}, 0));`,
  });
}

/** The metadata of the transposes. */
const TRANSPOSE: OpInfo = {
  params: [image()],
  output: 'same',
  tiling: { notTileable: 'swaps axes: the result has another shape, and a tile lands elsewhere' },
};

/**
 * Swaps x and y. pyclesperanto: `transpose_xy`; numpy: `np.swapaxes(a, -1, -2)` (`a.T` for
 * 2D). Exact for every dtype. 2D [h, w] gives [w, h]; 3D [d, h, w] gives [d, w, h].
 */
export const transposeXY = defineOp(TRANSPOSE, function transposeXY(input: GpuImage): GpuImage {
  checkImage(input, 'transposeXY: input');
  checkDims(input, [2, 3], 'transposeXY: input');
  const s = [...input.shape];
  const n = s.length;
  [s[n - 1], s[n - 2]] = [s[n - 2], s[n - 1]];
  return permute('transposeXY', input, s, 'c.y, c.x, c.z');
});

/**
 * Swaps x and z. pyclesperanto: `transpose_xz`; numpy: `np.swapaxes(a, 0, 2)` for 3D
 * [d, h, w] -> [w, h, d]. A 2D [h, w] input is treated as [1, h, w] and gives [w, h, 1] (as
 * pyclesperanto). Exact for every dtype.
 */
export const transposeXZ = defineOp(TRANSPOSE, function transposeXZ(input: GpuImage): GpuImage {
  checkImage(input, 'transposeXZ: input');
  checkDims(input, [2, 3], 'transposeXZ: input');
  const [d, h, w] = input.ndim === 3 ? input.shape : [1, ...input.shape];
  return permute('transposeXZ', input, [w, h, d], 'c.z, c.y, c.x');
});

/**
 * Swaps y and z. pyclesperanto: `transpose_yz`; numpy: `np.swapaxes(a, 0, 1)` for 3D
 * [d, h, w] -> [h, d, w]. A 2D [h, w] input is treated as [1, h, w] and gives [h, 1, w] (as
 * pyclesperanto). Exact for every dtype.
 */
export const transposeYZ = defineOp(TRANSPOSE, function transposeYZ(input: GpuImage): GpuImage {
  checkImage(input, 'transposeYZ: input');
  checkDims(input, [2, 3], 'transposeYZ: input');
  const [d, h, w] = input.ndim === 3 ? input.shape : [1, ...input.shape];
  return permute('transposeYZ', input, [h, d, w], 'c.x, c.z, c.y');
});
