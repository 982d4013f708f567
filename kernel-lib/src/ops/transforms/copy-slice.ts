import { computeType } from '../../array/dtype';
import { create } from '../../array/transfer';
import type { GpuImage } from '../../array/gpu-image';
import { runPixelProgram } from '../../codegen/program';
import { checkDims, checkImage, checkInteger } from '../../validate/arguments';
import { TesseraError } from '../../errors';

/**
 * Copies one z-slice. From a 3D `input` it returns slice `slice` as a 2D image
 * (numpy `a[slice]`). From a 2D `input` with a 3D `destination`, it writes `input` into
 * `destination[slice]` in place and returns `destination` (numpy `dst[slice] = a`).
 * pyclesperanto: `copy_slice`.
 */
export function copySlice(input: GpuImage, slice = 0, destination?: GpuImage): GpuImage {
  checkImage(input, 'copySlice: input');
  if (destination === undefined) {
    checkDims(input, [3], 'copySlice: input');
    const z = checkInteger(slice, 'copySlice: slice', 0, input.shape[0] - 1);
    return runPixelProgram({
      op: 'copySliceOut',
      inputs: { a: input },
      output: create(input.shape.slice(1), input.dtype),
      scalars: { z: { type: 'i32', value: z } },
      coords: true,
      computeType: computeType(input.dtype),
      body: 'return at_a(vec4<i32>(c.x, c.y, P.z, 0));',
    });
  }
  checkImage(destination, 'copySlice: destination');
  checkDims(input, [2], 'copySlice: input (with a destination)');
  checkDims(destination, [3], 'copySlice: destination');
  if (input.shape[0] !== destination.shape[1] || input.shape[1] !== destination.shape[2]) {
    throw new TesseraError(`copySlice: input shape [${input.shape}] does not match a slice of destination [${destination.shape}]`);
  }
  if (input.dtype !== destination.dtype) {
    throw new TesseraError(`copySlice: input (${input.dtype}) and destination (${destination.dtype}) must have the same dtype`);
  }
  const z = checkInteger(slice, 'copySlice: slice', 0, destination.shape[0] - 1);
  const plane = input.size;
  // Only the slice's pixels are written; neighbouring slices sharing a packed word keep their values.
  return runPixelProgram({
    op: 'copySliceIn',
    inputs: { a: input },
    output: destination,
    range: { start: z * plane, count: plane },
    computeType: computeType(input.dtype),
    body: `return load_a(i - P.range.y);`,
  });
}
