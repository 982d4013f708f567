import { computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { forEachSlab, writeSlab } from '../../array/slabs';
import { create } from '../../array/transfer';
import { elementwise } from '../../codegen/elementwise';
import { addImages, maximumImages, minimumImages } from '../arithmetic/image-arithmetic';
import { paste } from '../transforms/paste';
import { runPixelProgram } from '../../codegen/program';
import { TesseraError } from '../../errors';
import { checkDims, checkImage } from '../../validate/arguments';
import { Reducer, reduceRows, reduceStrided } from './reduce-axis';
import { type DTypeRule, type OpInfo, defineOp, image } from '../op';

/**
 * Projections along z, y or x, with pyclesperanto's shapes and dtypes:
 *
 * | axis | input [z, y, x] gives | input [y, x] gives | numpy |
 * |---|---|---|---|
 * | Z | [y, x] ([t, z, y, x] gives [t, y, x]) | [y, x] (a projection of one slice) | `a.max(axis=-3)` |
 * | Y | [z, x] | [x] | `a.max(axis=-2)` |
 * | X | **[y, z]** (pyclesperanto's transposed layout) | [y, 1] | `a.max(axis=-1).T` |
 *
 * Dtypes: maximum, minimum and mean keep the input's dtype (mean is truncated toward zero for
 * integer images, exactly, as pyclesperanto's conversion); sum and std are float32; the
 * position projections are uint32. std is the sample standard deviation (n − 1 in the
 * denominator, 0 for a single value), as pyclesperanto (numpy: `a.std(axis, ddof=1)`).
 */
/**
 * Projections of images larger than one GPU binding, slab by slab along the first axis. Where
 * that axis is kept (Y and X projections, Z projections of 4D stacks), each slab gives its own
 * part of the result; where it is the projected one (Z of a 3D stack), the slabs' projections
 * are combined (max, min, sum, mean; std and positions would need more than the partial results
 * and are refused).
 */
function projectLarge(fn: string, r: Reducer, input: GpuImage, project: (slab: GpuImage) => GpuImage, placement: 'rows' | 'columns' | 'combine'): GpuImage {
  if (placement === 'combine') {
    if (r !== 'max' && r !== 'min' && r !== 'sum' && r !== 'mean') {
      throw new TesseraError(`${fn}: an image of shape [${input.shape}] is larger than one GPU binding; only maximum, minimum, sum and mean Z projections combine slab by slab. Crop it or use tessera.tiled.`);
    }
    const parts = forEachSlab(fn, input, (slab) => (r === 'mean' ? projectZ(fn, 'sum', slab) : project(slab)));
    let acc = parts[0];
    for (const p of parts.slice(1)) {
      const next = r === 'max' ? maximumImages(acc, p) : r === 'min' ? minimumImages(acc, p) : addImages(acc, p);
      acc.release();
      p.release();
      acc = next;
    }
    if (r !== 'mean') return acc;
    // Integer means truncate toward zero, as the whole-image projection does.
    const mean = elementwise({ op: fn, inputs: [acc], output: input.dtype, compute: 'f32', scalars: { n: input.shape[input.ndim - 3] }, expr: 'a / P.n' });
    acc.release();
    return mean;
  }
  let out: GpuImage | undefined;
  forEachSlab(fn, input, (slab, tile) => {
    const part = project(slab);
    if (placement === 'rows') writeSlab(part, { start: [0, ...part.shape.slice(1).map(() => 0)], size: [...part.shape] }, (out ??= create(resultShape(input, part), part.dtype)), { start: [tile.core.start[0], ...part.shape.slice(1).map(() => 0)], size: [...part.shape] });
    else paste(part, (out ??= create([part.shape[0], input.shape[0]], part.dtype)), tile.core.start[0], 0, 0);
    part.release();
  });
  return out!;
}

/** The full result's shape from one slab's part along the kept first axis. */
function resultShape(input: GpuImage, part: GpuImage): number[] {
  return [input.shape[0], ...part.shape.slice(1)];
}

function projectZ(fn: string, r: Reducer, input: GpuImage): GpuImage {
  checkImage(input, `${fn}: input`);
  checkDims(input, [2, 3, 4], `${fn}: input`);
  if (input.large) return projectLarge(fn, r, input, (slab) => projectZ(fn, r, slab), input.ndim === 3 ? 'combine' : 'rows');
  const [x, y] = [input.shape[input.ndim - 1], input.shape[input.ndim - 2]];
  if (input.ndim === 2) return reduceStrided(fn, r, input, 1, 1, x * y, [y, x]);
  const z = input.shape[input.ndim - 3];
  const t = input.ndim === 4 ? input.shape[0] : 1;
  return reduceStrided(fn, r, input, t, z, x * y, input.ndim === 4 ? [t, y, x] : [y, x]);
}

function projectY(fn: string, r: Reducer, input: GpuImage): GpuImage {
  checkImage(input, `${fn}: input`);
  checkDims(input, [2, 3], `${fn}: input`);
  if (input.large && input.ndim === 3) return projectLarge(fn, r, input, (slab) => projectY(fn, r, slab), 'rows');
  const [x, y] = [input.shape[input.ndim - 1], input.shape[input.ndim - 2]];
  const z = input.ndim === 3 ? input.shape[0] : 1;
  return reduceStrided(fn, r, input, z, y, x, input.ndim === 3 ? [z, x] : [x]);
}

function projectX(fn: string, r: Reducer, input: GpuImage): GpuImage {
  checkImage(input, `${fn}: input`);
  checkDims(input, [2, 3], `${fn}: input`);
  if (input.large && input.ndim === 3) return projectLarge(fn, r, input, (slab) => projectX(fn, r, slab), 'columns');
  const [x, y] = [input.shape[input.ndim - 1], input.shape[input.ndim - 2]];
  const z = input.ndim === 3 ? input.shape[0] : 1;
  return reduceRows(fn, r, input, z, y, x, [y, z]);
}

/** The metadata of a projection along `axis` with the dtype rule `output`. */
function projection(axis: 'x' | 'y' | 'z', output: DTypeRule): OpInfo {
  return {
    params: [image()],
    output,
    tiling: { notTileable: `reduces the whole ${axis} axis: the result has another shape, and a tile sees only part of each ${axis} line` },
  };
}

/** Maximum along z (see the module table for shapes). pyclesperanto: `maximum_z_projection`; numpy: `a.max(axis=-3)`. */
export const maximumZProjection = defineOp(projection('z', 'same'), function maximumZProjection(input: GpuImage): GpuImage {
  return projectZ('maximumZProjection', 'max', input);
});

/** Maximum along y: [z, y, x] gives [z, x]. pyclesperanto: `maximum_y_projection`; numpy: `a.max(axis=-2)`. */
export const maximumYProjection = defineOp(projection('y', 'same'), function maximumYProjection(input: GpuImage): GpuImage {
  return projectY('maximumYProjection', 'max', input);
});

/** Maximum along x: [z, y, x] gives [y, z] (pyclesperanto's layout). pyclesperanto: `maximum_x_projection`; numpy: `a.max(axis=-1).T`. */
export const maximumXProjection = defineOp(projection('x', 'same'), function maximumXProjection(input: GpuImage): GpuImage {
  return projectX('maximumXProjection', 'max', input);
});

/** Minimum along z. pyclesperanto: `minimum_z_projection`; numpy: `a.min(axis=-3)`. */
export const minimumZProjection = defineOp(projection('z', 'same'), function minimumZProjection(input: GpuImage): GpuImage {
  return projectZ('minimumZProjection', 'min', input);
});

/** Minimum along y. pyclesperanto: `minimum_y_projection`; numpy: `a.min(axis=-2)`. */
export const minimumYProjection = defineOp(projection('y', 'same'), function minimumYProjection(input: GpuImage): GpuImage {
  return projectY('minimumYProjection', 'min', input);
});

/** Minimum along x, [y, z] layout. pyclesperanto: `minimum_x_projection`; numpy: `a.min(axis=-1).T`. */
export const minimumXProjection = defineOp(projection('x', 'same'), function minimumXProjection(input: GpuImage): GpuImage {
  return projectX('minimumXProjection', 'min', input);
});

/**
 * Sum along z, float32 (exact integer accumulation for 8/16-bit pixels, float32 otherwise).
 * pyclesperanto: `sum_z_projection`; numpy: `a.sum(axis=-3, dtype=np.float64).astype(np.float32)`.
 */
export const sumZProjection = defineOp(projection('z', 'float32'), function sumZProjection(input: GpuImage): GpuImage {
  return projectZ('sumZProjection', 'sum', input);
});

/** Sum along y, float32. pyclesperanto: `sum_y_projection`; numpy: `a.sum(axis=-2)`. */
export const sumYProjection = defineOp(projection('y', 'float32'), function sumYProjection(input: GpuImage): GpuImage {
  return projectY('sumYProjection', 'sum', input);
});

/** Sum along x, float32, [y, z] layout. pyclesperanto: `sum_x_projection`; numpy: `a.sum(axis=-1).T`. */
export const sumXProjection = defineOp(projection('x', 'float32'), function sumXProjection(input: GpuImage): GpuImage {
  return projectX('sumXProjection', 'sum', input);
});

/**
 * Mean along z in the input's dtype (integer images: the exact mean truncated toward zero).
 * pyclesperanto: `mean_z_projection`; numpy: `sat(a.mean(axis=-3), a.dtype)`.
 */
export const meanZProjection = defineOp(projection('z', 'same'), function meanZProjection(input: GpuImage): GpuImage {
  return projectZ('meanZProjection', 'mean', input);
});

/** Mean along y in the input's dtype. pyclesperanto: `mean_y_projection`; numpy: `sat(a.mean(axis=-2), a.dtype)`. */
export const meanYProjection = defineOp(projection('y', 'same'), function meanYProjection(input: GpuImage): GpuImage {
  return projectY('meanYProjection', 'mean', input);
});

/** Mean along x in the input's dtype, [y, z] layout. pyclesperanto: `mean_x_projection`; numpy: `sat(a.mean(axis=-1), a.dtype).T`. */
export const meanXProjection = defineOp(projection('x', 'same'), function meanXProjection(input: GpuImage): GpuImage {
  return projectX('meanXProjection', 'mean', input);
});

/**
 * Sample standard deviation along z (n − 1), float32. pyclesperanto: `std_z_projection`;
 * numpy: `a.std(axis=-3, ddof=1)`.
 */
export const stdZProjection = defineOp(projection('z', 'float32'), function stdZProjection(input: GpuImage): GpuImage {
  return projectZ('stdZProjection', 'std', input);
});

/** Sample standard deviation along y, float32. pyclesperanto: `std_y_projection`; numpy: `a.std(axis=-2, ddof=1)`. */
export const stdYProjection = defineOp(projection('y', 'float32'), function stdYProjection(input: GpuImage): GpuImage {
  return projectY('stdYProjection', 'std', input);
});

/** Sample standard deviation along x, float32, [y, z] layout. pyclesperanto: `std_x_projection`; numpy: `a.std(axis=-1, ddof=1).T`. */
export const stdXProjection = defineOp(projection('x', 'float32'), function stdXProjection(input: GpuImage): GpuImage {
  return projectX('stdXProjection', 'std', input);
});

/**
 * The z index of the maximum of each (y, x) column, uint32; ties give the first index (as
 * numpy's argmax). pyclesperanto: `z_position_of_maximum_z_projection`; numpy: `a.argmax(axis=-3)`.
 */
export const zPositionOfMaximumZProjection = defineOp(projection('z', 'uint32'), function zPositionOfMaximumZProjection(input: GpuImage): GpuImage {
  return projectZ('zPositionOfMaximumZProjection', 'argmax', input);
});

/** The z index of the minimum, uint32, first on ties. pyclesperanto: `z_position_of_minimum_z_projection`; numpy: `a.argmin(axis=-3)`. */
export const zPositionOfMinimumZProjection = defineOp(projection('z', 'uint32'), function zPositionOfMinimumZProjection(input: GpuImage): GpuImage {
  return projectZ('zPositionOfMinimumZProjection', 'argmin', input);
});

/** The y index of the maximum, uint32, [z, x]. pyclesperanto: `y_position_of_maximum_y_projection`; numpy: `a.argmax(axis=-2)`. */
export const yPositionOfMaximumYProjection = defineOp(projection('y', 'uint32'), function yPositionOfMaximumYProjection(input: GpuImage): GpuImage {
  return projectY('yPositionOfMaximumYProjection', 'argmax', input);
});

/** The y index of the minimum, uint32, [z, x]. pyclesperanto: `y_position_of_minimum_y_projection`; numpy: `a.argmin(axis=-2)`. */
export const yPositionOfMinimumYProjection = defineOp(projection('y', 'uint32'), function yPositionOfMinimumYProjection(input: GpuImage): GpuImage {
  return projectY('yPositionOfMinimumYProjection', 'argmin', input);
});

/** The x index of the maximum, uint32, [y, z] layout. pyclesperanto: `x_position_of_maximum_x_projection`; numpy: `a.argmax(axis=-1).T`. */
export const xPositionOfMaximumXProjection = defineOp(projection('x', 'uint32'), function xPositionOfMaximumXProjection(input: GpuImage): GpuImage {
  return projectX('xPositionOfMaximumXProjection', 'argmax', input);
});

/** The x index of the minimum, uint32, [y, z] layout. pyclesperanto: `x_position_of_minimum_x_projection`; numpy: `a.argmin(axis=-1).T`. */
export const xPositionOfMinimumXProjection = defineOp(projection('x', 'uint32'), function xPositionOfMinimumXProjection(input: GpuImage): GpuImage {
  return projectX('xPositionOfMinimumXProjection', 'argmin', input);
});

/** Alias of {@link zPositionOfMaximumZProjection} under numpy's name. */
export const argMaximumZProjection = zPositionOfMaximumZProjection;
/** Alias of {@link zPositionOfMinimumZProjection} under numpy's name. */
export const argMinimumZProjection = zPositionOfMinimumZProjection;

/**
 * For each (y, x), the pixel of `input` at the z given by `position` (a 2D image, e.g. from
 * {@link zPositionOfMaximumZProjection}; values truncated toward zero and clamped to the
 * stack), in `input`'s dtype. pyclesperanto: `z_position_projection`; numpy:
 * `np.take_along_axis(a, p[None].astype(int), 0)[0]`.
 */
export const zPositionProjection = defineOp({
  params: [image(), image('position')],
  output: 'same',
  tiling: { notTileable: 'picks one pixel per (y, x) column, at the z another image gives: the 2D result has another shape than the stack' },
}, function zPositionProjection(input: GpuImage, position: GpuImage): GpuImage {
  checkImage(input, 'zPositionProjection: input');
  checkImage(position, 'zPositionProjection: position');
  checkDims(input, [3], 'zPositionProjection: input');
  checkDims(position, [2], 'zPositionProjection: position');
  if (position.shape[0] !== input.shape[1] || position.shape[1] !== input.shape[2]) {
    throw new TesseraError(`zPositionProjection: position (shape [${position.shape}]) must match a slice of input (shape [${input.shape}])`);
  }
  return runPixelProgram({
    op: 'zPositionProjection',
    inputs: { a: input, p: position },
    output: create(input.shape.slice(1), input.dtype),
    coords: true,
    computeType: computeType(input.dtype),
    body: `let z = clamp(i32(clamp(f32(load_p(i)), -1.0, 1e9)), 0, i32(P.a_shape.z) - 1);
  return at_a(vec4<i32>(c.x, c.y, z, 0));`,
  });
});
