import { computeType } from '../../dtype';
import { planesOf } from '../../array/slabs';
import { create } from '../../array/transfer';
import type { GpuImage } from '../../array/gpu-image';
import { runPixelProgram } from '../../codegen/program';
import { checkDims, checkImage, checkInteger } from '../../validate/arguments';
import { TesseraError } from '../../errors';
import { type Tiling, defineOp, image, integer } from '../op';

/** The tiling of the slice copies. */
const SLICE: Tiling = { notTileable: 'copies one plane out of a stack or into it: the result has another shape than the input' };

/**
 * Copies one z-slice. From a 3D `input` it returns slice `slice` as a 2D image
 * (numpy `a[slice]`). From a 2D `input` with a 3D `destination`, it writes `input` into
 * `destination[slice]` in place and returns `destination` (numpy `dst[slice] = a`).
 * pyclesperanto: `copy_slice`.
 */
export const copySlice = defineOp({
  params: [image(), integer('slice', 0, 0), image('destination', true)],
  output: 'same',
  tiling: SLICE,
  inPlace: 'destination',
}, function copySlice(input: GpuImage, slice = 0, destination?: GpuImage): GpuImage {
  checkImage(input, 'copySlice: input');
  if (destination === undefined) {
    checkDims(input, [3], 'copySlice: input');
    const z = checkInteger(slice, 'copySlice: slice', 0, input.shape[0] - 1);
    if (input.large) {
      // Only the slice's planes travel into a bindable image.
      const { slab, offset } = planesOf('copySlice', input, z, z + 1);
      const out = copySlice(slab, offset);
      slab.release();
      return out;
    }
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
});

/** Shared by copyHorizontalSlice (axis y) and copyVerticalSlice (axis x). */
function copyPlane(fn: string, axis: 'x' | 'y', input: GpuImage, sliceIndex: number, destination?: GpuImage): GpuImage {
  checkImage(input, `${fn}: input`);
  // The plane's two axes in the stack, as (first, second) of the 2D image: (x, z) or (y, z).
  const along = axis === 'y' ? 1 : 2; // numpy axis of the slice index
  if (destination === undefined) {
    checkDims(input, [3], `${fn}: input`);
    const s = checkInteger(sliceIndex, `${fn}: sliceIndex`, 0, input.shape[along] - 1);
    const shape = axis === 'y' ? [input.shape[0], input.shape[2]] : [input.shape[0], input.shape[1]];
    return runPixelProgram({
      op: `${fn}Out`,
      inputs: { a: input },
      output: create(shape, input.dtype),
      scalars: { s: { type: 'i32', value: s } },
      coords: true,
      computeType: computeType(input.dtype),
      body: axis === 'y' ? 'return at_a(vec4<i32>(c.x, P.s, c.y, 0));' : 'return at_a(vec4<i32>(P.s, c.x, c.y, 0));',
    });
  }
  checkImage(destination, `${fn}: destination`);
  checkDims(input, [2], `${fn}: input (with a destination)`);
  checkDims(destination, [3], `${fn}: destination`);
  const expected = axis === 'y' ? [destination.shape[0], destination.shape[2]] : [destination.shape[0], destination.shape[1]];
  if (input.shape[0] !== expected[0] || input.shape[1] !== expected[1]) {
    throw new TesseraError(`${fn}: input shape [${input.shape}] does not match a ${axis === 'y' ? 'horizontal (x-z)' : 'vertical (y-z)'} slice of destination [${destination.shape}] (expected [${expected}])`);
  }
  if (input.dtype !== destination.dtype) {
    throw new TesseraError(`${fn}: input (${input.dtype}) and destination (${destination.dtype}) must have the same dtype`);
  }
  const s = checkInteger(sliceIndex, `${fn}: sliceIndex`, 0, destination.shape[along] - 1);
  const [d, h, w] = destination.shape;
  const first = axis === 'y' ? s * w : s;
  const last = axis === 'y' ? ((d - 1) * h + s) * w + w - 1 : ((d - 1) * h + h - 1) * w + s;
  // Pixels between the slice's pixels keep their values (read back through load_out).
  return runPixelProgram({
    op: `${fn}In`,
    inputs: { a: input },
    output: destination,
    range: { start: first, count: last - first + 1 },
    scalars: { s: { type: 'i32', value: s } },
    coords: true,
    computeType: computeType(input.dtype),
    body: axis === 'y'
      ? 'if (c.y == P.s) { return at_a(vec4<i32>(c.x, c.z, 0, 0)); }\n  return load_out(i);'
      : 'if (c.x == P.s) { return at_a(vec4<i32>(c.y, c.z, 0, 0)); }\n  return load_out(i);',
  });
}

/**
 * Copies one x-z plane (constant y). From a 3D [d, h, w] `input` it returns plane
 * `sliceIndex` as a 2D [d, w] image (numpy `a[:, k, :]`). From a 2D [d, w] `input` with a 3D
 * `destination`, it writes `destination[:, k, :] = input` in place and returns `destination`.
 * pyclesperanto: `copy_horizontal_slice`. Exact for every dtype.
 */
export const copyHorizontalSlice = defineOp({
  params: [image(), integer('sliceIndex', 0, 0), image('destination', true)],
  output: 'same',
  tiling: SLICE,
  inPlace: 'destination',
}, function copyHorizontalSlice(input: GpuImage, sliceIndex = 0, destination?: GpuImage): GpuImage {
  return copyPlane('copyHorizontalSlice', 'y', input, sliceIndex, destination);
});

/**
 * Copies one y-z plane (constant x). From a 3D [d, h, w] `input` it returns plane
 * `sliceIndex` as a 2D [d, h] image (numpy `a[:, :, k]`). From a 2D [d, h] `input` with a 3D
 * `destination`, it writes `destination[:, :, k] = input` in place and returns `destination`.
 * pyclesperanto: `copy_vertical_slice`. Exact for every dtype.
 */
export const copyVerticalSlice = defineOp({
  params: [image(), integer('sliceIndex', 0, 0), image('destination', true)],
  output: 'same',
  tiling: SLICE,
  inPlace: 'destination',
}, function copyVerticalSlice(input: GpuImage, sliceIndex = 0, destination?: GpuImage): GpuImage {
  return copyPlane('copyVerticalSlice', 'x', input, sliceIndex, destination);
});
