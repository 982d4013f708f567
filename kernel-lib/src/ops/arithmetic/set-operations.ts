import { computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { integerScalar } from '../../codegen/elementwise';
import { runPixelProgram } from '../../codegen/program';
import { checkInteger, checkImage, checkNumber } from '../../validate/arguments';
import { ZERO } from '../../codegen/snippets';
import { type OpInfo, defineOp, image, integer, number, positional } from '../op';

/**
 * pyclesperanto's `set_*` family: they write into `input` **in place** and return it (as
 * pyclesperanto and `fill` do); recorded in order with the operations around them. Values
 * are converted to the image's dtype with saturation, rounding toward zero. Pixels a
 * conditional `set` does not select keep their values (each thread rewrites whole storage
 * words, reading the pixels it keeps, so packed 8/16-bit images are safe).
 */
function setWhere(fn: string, input: GpuImage, value: number, condition: string, extra: Record<string, number> = {}): GpuImage {
  checkImage(input, `${fn}: input`);
  const t = computeType(input.dtype);
  const v = t === 'f32' ? { type: t, value } : integerScalar(input.dtype, value);
  const scalars: Record<string, { type: typeof t | 'i32'; value: number }> = { v };
  for (const [k, x] of Object.entries(extra)) scalars[k] = { type: 'i32', value: x };
  return runPixelProgram({
    op: fn,
    inputs: {},
    output: input,
    scalars,
    coords: condition !== 'true',
    computeType: t,
    body: condition === 'true' ? 'return P.v;' : `return select(load_out(i), P.v, ${condition});`,
  });
}

/** The metadata of the in-place sets that select pixels by position: by an index along an axis, or by a condition. */
const setAt = (index: string): OpInfo => ({
  params: [image(), integer(index, 0), number('value', 0)],
  output: 'same',
  tiling: positional,
  inPlace: true,
});
const SET_WHERE: OpInfo = { params: [image(), number('value', 0)], output: 'same', tiling: positional, inPlace: true };

/** Sets every pixel to `scalar` (in place; returns `input`). pyclesperanto: `set`; numpy: `a[...] = s`. */
export const set = defineOp({
  params: [image(), number('scalar', 0)],
  output: 'same',
  tiling: 'pointwise',
  inPlace: true,
}, function set(input: GpuImage, scalar = 0): GpuImage {
  return setWhere('set', input, checkNumber(scalar, 'set: scalar'), 'true');
});

/** Sets column x = columnIndex to `value` (in place). pyclesperanto: `set_column`; numpy: `a[..., :, k] = v`. */
export const setColumn = defineOp(setAt('columnIndex'), function setColumn(input: GpuImage, columnIndex = 0, value = 0): GpuImage {
  const k = checkInteger(columnIndex, 'setColumn: columnIndex');
  return setWhere('setColumn', input, checkNumber(value, 'setColumn: value'), 'c.x == P.k', { k });
});

/** Sets row y = rowIndex to `value` (in place). pyclesperanto: `set_row`; numpy: `a[..., k, :] = v`. */
export const setRow = defineOp(setAt('rowIndex'), function setRow(input: GpuImage, rowIndex = 0, value = 0): GpuImage {
  const k = checkInteger(rowIndex, 'setRow: rowIndex');
  return setWhere('setRow', input, checkNumber(value, 'setRow: value'), 'c.y == P.k', { k });
});

/** Sets plane z = planeIndex to `value` (in place). pyclesperanto: `set_plane`; numpy: `a[k] = v`. */
export const setPlane = defineOp(setAt('planeIndex'), function setPlane(input: GpuImage, planeIndex = 0, value = 0): GpuImage {
  const k = checkInteger(planeIndex, 'setPlane: planeIndex');
  return setWhere('setPlane', input, checkNumber(value, 'setPlane: value'), 'c.z == P.k', { k });
});

/**
 * Sets the outermost pixels (first and last column and row, and for 3D images first and last
 * plane) to `value` (in place). pyclesperanto: `set_image_borders`.
 */
export const setImageBorders = defineOp(SET_WHERE, function setImageBorders(input: GpuImage, value = 0): GpuImage {
  checkImage(input, 'setImageBorders: input');
  const xy = 'c.x == 0 || c.x == i32(P.out_shape.x) - 1 || c.y == 0 || c.y == i32(P.out_shape.y) - 1';
  const cond = input.ndim >= 3 ? `${xy} || c.z == 0 || c.z == i32(P.out_shape.z) - 1` : xy;
  return setWhere('setImageBorders', input, checkNumber(value, 'setImageBorders: value'), cond);
});

/** Sets pixels with x == y to `value` (in place). pyclesperanto: `set_where_x_equals_y`. */
export const setWhereXEqualsY = defineOp(SET_WHERE, function setWhereXEqualsY(input: GpuImage, value = 0): GpuImage {
  return setWhere('setWhereXEqualsY', input, checkNumber(value, 'setWhereXEqualsY: value'), 'c.x == c.y');
});

/** Sets pixels with x > y to `value` (in place). pyclesperanto: `set_where_x_greater_than_y`. */
export const setWhereXGreaterThanY = defineOp(SET_WHERE, function setWhereXGreaterThanY(input: GpuImage, value = 0): GpuImage {
  return setWhere('setWhereXGreaterThanY', input, checkNumber(value, 'setWhereXGreaterThanY: value'), 'c.x > c.y');
});

/** Sets pixels with x < y to `value` (in place). pyclesperanto: `set_where_x_smaller_than_y`. */
export const setWhereXSmallerThanY = defineOp(SET_WHERE, function setWhereXSmallerThanY(input: GpuImage, value = 0): GpuImage {
  return setWhere('setWhereXSmallerThanY', input, checkNumber(value, 'setWhereXSmallerThanY: value'), 'c.x < c.y');
});

function ramp(fn: string, input: GpuImage, axis: 'x' | 'y' | 'z'): GpuImage {
  checkImage(input, `${fn}: input`);
  return runPixelProgram({ op: fn, inputs: {}, output: input, coords: true, computeType: 'f32', body: `return f32(c.${axis});` });
}

/** Sets each pixel to its x coordinate (in place; saturating). pyclesperanto: `set_ramp_x`. */
export const setRampX = defineOp({
  params: [image()],
  output: 'same',
  tiling: positional,
  inPlace: true,
}, function setRampX(input: GpuImage): GpuImage {
  return ramp('setRampX', input, 'x');
});

/** Sets each pixel to its y coordinate (in place). pyclesperanto: `set_ramp_y`. */
export const setRampY = defineOp({
  params: [image()],
  output: 'same',
  tiling: positional,
  inPlace: true,
}, function setRampY(input: GpuImage): GpuImage {
  return ramp('setRampY', input, 'y');
});

/** Sets each pixel to its z coordinate (in place). pyclesperanto: `set_ramp_z`. */
export const setRampZ = defineOp({
  params: [image()],
  output: 'same',
  tiling: positional,
  inPlace: true,
}, function setRampZ(input: GpuImage): GpuImage {
  return ramp('setRampZ', input, 'z');
});

/**
 * A new uint32 image: non-zero pixels get pyclesperanto's pixel index `x·h·d + y·d + z +
 * offset` (x slowest, as pyclesperanto), zero pixels 0. pyclesperanto:
 * `set_nonzero_pixels_to_pixelindex`.
 */
export const setNonzeroPixelsToPixelindex = defineOp({
  params: [image(), integer('offset', 1, 0, 2 ** 31)],
  output: 'uint32',
  tiling: positional,
}, function setNonzeroPixelsToPixelindex(input: GpuImage, offset = 1): GpuImage {
  checkImage(input, 'setNonzeroPixelsToPixelindex: input');
  const o = checkInteger(offset, 'setNonzeroPixelsToPixelindex: offset', 0, 2 ** 31);
  const zero = ZERO[computeType(input.dtype)];
  return runPixelProgram({
    op: 'setNonzeroPixelsToPixelindex',
    inputs: { a: input },
    output: create(input.shape, 'uint32'),
    scalars: { o: { type: 'u32', value: o } },
    coords: true,
    computeType: 'u32',
    body: `let s = P.a_shape;
  return select(0u, (u32(c.x) * s.y + u32(c.y)) * s.z + u32(c.z) + P.o, load_a(i) != ${zero});`,
  });
});
