import { computeType } from '../../dtype';
import { planesOf } from '../../array/slabs';
import { create } from '../../array/transfer';
import type { GpuImage } from '../../array/gpu-image';
import { runPixelProgram } from '../../codegen/program';
import { checkImage, checkInteger } from '../../validate/arguments';
import { TesseraError } from '../../errors';
import { defineOp, image, integer } from '../op';

/**
 * The box starting at (startX, startY, startZ) of size width × height × depth; depth is
 * ignored for 2D input. pyclesperanto: `crop`; numpy: `a[z0:z0+d, y0:y0+h, x0:x0+w]`.
 * The box must lie inside the image.
 */
export const crop = defineOp({
  params: [
    image(),
    integer('startX', 0, 0), integer('startY', 0, 0), integer('startZ', 0, 0),
    integer('width', 1, 1), integer('height', 1, 1), integer('depth', 1, 1),
  ],
  output: 'same',
  tiling: { notTileable: 'cuts a box out of the image: the result has another shape' },
}, function crop(input: GpuImage, startX = 0, startY = 0, startZ = 0, width = 1, height = 1, depth = 1): GpuImage {
  checkImage(input, 'crop: input');
  const [sx, sy, sz] = [startX, startY, startZ].map((v, k) => checkInteger(v, `crop: start${'XYZ'[k]}`, 0));
  const [w, h, d] = [width, height, depth].map((v, k) => checkInteger(v, `crop: ${['width', 'height', 'depth'][k]}`, 1));
  const n = input.ndim;
  const extent = (axisFromEnd: number) => (n >= axisFromEnd ? input.shape[n - axisFromEnd] : 1);
  const boxes: Array<[string, number, number, number]> = [['x', sx, w, extent(1)], ['y', sy, h, extent(2)]];
  if (n >= 3) boxes.push(['z', sz, d, extent(3)]);
  for (const [axis, start, size, limit] of boxes) {
    if (start + size > limit) {
      throw new TesseraError(`crop: the box along ${axis} (start ${start}, size ${size}) exceeds the image extent ${limit}`);
    }
  }
  if (n < 2) throw new TesseraError(`crop: input must have 2 to 4 dimensions; got shape [${input.shape}]`);
  if (input.large && n <= 3) {
    // Only the planes the box covers (along the first axis) travel into a bindable image.
    const [first, count] = n === 3 ? [sz, d] : [sy, h];
    const { slab, offset } = planesOf('crop', input, first, first + count);
    const out = n === 3 ? crop(slab, sx, sy, offset, w, h, d) : crop(slab, sx, offset, 0, w, h, d);
    slab.release();
    return out;
  }
  const shape = [...input.shape];
  shape[n - 1] = w;
  shape[n - 2] = h;
  if (n >= 3) shape[n - 3] = d;
  return runPixelProgram({
    op: 'crop',
    inputs: { a: input },
    output: create(shape, input.dtype),
    scalars: { sx: { type: 'i32', value: sx }, sy: { type: 'i32', value: sy }, sz: { type: 'i32', value: n >= 3 ? sz : 0 } },
    coords: true,
    computeType: computeType(input.dtype),
    body: 'return at_a(c + vec4<i32>(P.sx, P.sy, P.sz, 0));',
  });
});
