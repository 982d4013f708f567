import { DType, computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { TesseraError } from '../../errors';
import { checkDims, checkImage, checkShape, checkBoolean, checkDType } from '../../validate/arguments';
import { GEOMETRIC, applyForward, interpolatedOrSame, sampleAffine } from './affine-engine';
import { Mat4, flattenMatrix, identity } from './matrix';
import { TRANSFORM_MODES, type TransformMode, type TransformOptions, checkTransformOptions } from '../../validate/modes';
import { choice, defineOp, dtype, flag, image, integer, number, transformOptions } from '../op';

/** A matrix as a flat list (row-major), a typed array, or nested rows. */
export type MatrixLike = ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;

/**
 * Applies an affine transform given as pyclesperanto does. pyclesperanto: `affine_transform`
 * (`transform_matrix`, `interpolate`, `resize`).
 *
 * **Matrix convention (pyclesperanto's):** `transformMatrix` is the *forward* transform,
 * mapping input coordinates to output coordinates, in **(x, y, z)** order, row-major: a 3x3
 * matrix (9 numbers) acting on (x, y, 1) or a 4x4 (16 numbers) acting on (x, y, z, 1);
 * default identity. Coordinates are pixel *corners*: pixel k spans [k, k + 1), its centre
 * is k + 0.5. Tessera inverts the matrix once on the host; each output pixel centre is
 * mapped back into the input. A 3x3 matrix on a 3D image transforms every plane alike.
 *
 * The equivalent scipy call, for a forward matrix M in (x, y, z) corner coordinates, is
 * `scipy.ndimage.affine_transform(a, P @ C(-0.5) @ inv(M) @ C(0.5) @ P, order=0|1,
 * mode='grid-constant', cval=0)` where C(t) translates by t on every axis and P reverses the
 * axis order to (z, y, x); see {@link scipyAffineTransform} to pass scipy's matrix directly.
 *
 * - `interpolate`: false = nearest neighbour, output keeps the input dtype (exact copies of
 *   pixels; scipy order=0); true = (bi/tri)linear in float32, output float32 (scipy order=1).
 * - `resize`: the output box is the transformed input box (extents rounded to whole pixels,
 *   at least 1) moved to the origin; otherwise the output has the input's shape.
 * - `options.mode` / `options.cval` (Tessera extension, scipy's modes): default
 *   `'grid-constant'` with 0, which is what pyclesperanto's sampler does.
 *
 * 2D and 3D images. A 2D image takes a 3x3 matrix, or a 4x4 one that leaves z alone.
 * Throws when the matrix is not 3x3/4x4, not affine (last row), has non-finite entries, or is
 * singular.
 */
export const affineTransform = defineOp({
  params: [
    image(),
    { name: 'transformMatrix', kind: 'value', optional: true, doc: '3x3 or 4x4 forward matrix in (x, y, z) order; left out: identity' },
    flag('interpolate', false),
    flag('resize', false),
    transformOptions(),
  ],
  output: interpolatedOrSame('interpolate'),
  tiling: GEOMETRIC,
}, function affineTransform(
  input: GpuImage, transformMatrix?: MatrixLike, interpolate = false, resize = false, options?: TransformOptions,
): GpuImage {
  const fn = 'affineTransform';
  checkImage(input, `${fn}: input`);
  checkDims(input, [2, 3], `${fn}: input`);
  const forward = transformMatrix === undefined || transformMatrix === null ? identity() : cleMatrix(transformMatrix, `${fn}: transformMatrix`);
  checkBoolean(interpolate, `${fn}: interpolate`);
  checkBoolean(resize, `${fn}: resize`);
  return applyForward(fn, input, forward, interpolate, resize, checkTransformOptions(options, fn), 'transformMatrix');
});

/** A 3x3 or 4x4 (x, y, z) affine matrix as a Mat4. */
function cleMatrix(x: unknown, argument: string): Mat4 {
  const { values: v, rows, cols } = flattenMatrix(x, argument);
  const n = v.length === 9 ? 3 : v.length === 16 ? 4 : 0;
  if (!n || (rows !== 1 && (rows !== n || cols !== n))) {
    throw new TesseraError(`${argument} must be 3x3 (2D, 9 numbers) or 4x4 (3D, 16 numbers), row-major; got ${rows > 1 ? `${rows}x${cols}` : `${v.length} numbers`}`);
  }
  const last = v.slice(v.length - n);
  if (last.some((e, k) => e !== (k === n - 1 ? 1 : 0))) {
    throw new TesseraError(`${argument} must be affine: its last row must be [${n === 3 ? '0, 0, 1' : '0, 0, 0, 1'}]; got [${last}]`);
  }
  return n === 4 ? [...v] : [v[0], v[1], 0, v[2], v[3], v[4], 0, v[5], 0, 0, 1, 0, 0, 0, 0, 1];
}

export interface ScipyAffineOptions {
  /** Offset added after the matrix, (z, y, x) order: a number for every axis or one per axis. Ignored for a homogeneous matrix. */
  offset?: number | ArrayLike<number>;
  /** Output shape (z, y, x); default the input's. */
  outputShape?: readonly number[];
  /** 0: nearest, 1: linear (default 1, as scipy's default order 3 is not offered). */
  order?: 0 | 1;
  /** scipy's mode (default 'constant'). */
  mode?: TransformMode;
  /** Fill value (default 0). */
  cval?: number;
  /** Output dtype (default the input's, rounded half away from zero and clipped, as scipy). */
  output?: DType;
}

/**
 * `scipy.ndimage.affine_transform(input, matrix, offset, output_shape, output, order, mode,
 * cval)` with scipy's convention, for code ported from scipy/CuPy. Not in pyclesperanto.
 *
 * **Matrix convention (scipy's):** `matrix` maps *output* coordinates to *input*
 * coordinates (the inverse of pyclesperanto's), in array-axis order **(z, y, x)** (for 2D:
 * (y, x)), pixel centres at integer coordinates: `input[M @ o + offset]` fills `output[o]`.
 * Accepted forms, as scipy: a list of ndim numbers (diagonal), ndim x ndim (plus `offset`),
 * ndim x (ndim+1) (last column = offset), or (ndim+1) x (ndim+1) homogeneous.
 *
 * `order` 0 or 1 only (no spline orders 2-5). Every scipy mode is supported. Linear
 * interpolation runs in float32 (scipy float64): differences are ~1e-6 of the value range
 * (plus the position error of float32 coordinates times the local gradient); integer outputs
 * are rounded half away from zero and clipped, as scipy does.
 */
export const scipyAffineTransform = defineOp({
  params: [
    image(),
    { name: 'matrix', kind: 'value', doc: "scipy's matrix: output to input coordinates, (z, y, x) order" },
    {
      name: 'options',
      kind: 'options',
      fields: [
        { name: 'offset', kind: 'value', optional: true },
        { name: 'outputShape', kind: 'value', optional: true },
        integer('order', 1, 0, 1),
        choice('mode', TRANSFORM_MODES, 'constant'),
        number('cval', 0),
        dtype('output'),
      ],
    },
  ],
  output: (inputs, p) => (p.options as ScipyAffineOptions | undefined)?.output ?? inputs[0],
  tiling: GEOMETRIC,
}, function scipyAffineTransform(input: GpuImage, matrix: MatrixLike, options: ScipyAffineOptions = {}): GpuImage {
  const fn = 'scipyAffineTransform';
  checkImage(input, `${fn}: input`);
  checkDims(input, [2, 3], `${fn}: input`);
  if (typeof options !== 'object' || options === null) throw new TesseraError(`${fn}: options must be an object; got ${String(options)}`);
  const nd = input.ndim;
  const { values, rows, cols } = flattenMatrix(matrix, `${fn}: matrix`);
  // Rows of the (z, y, x) inverse: linear part L (nd x nd) and offset b.
  const L: number[][] = [];
  let b: number[] = new Array<number>(nd).fill(0);
  let homogeneous = false;
  if (rows === 1) {
    if (cols !== nd) throw new TesseraError(`${fn}: matrix as a flat list must hold ${nd} numbers (the diagonal); pass a matrix as rows, e.g. [[1, 0], [0, 1]]`);
    for (let i = 0; i < nd; i++) L.push(values.map((v, j) => (i === j ? v : 0)));
  } else if (rows === nd && (cols === nd || cols === nd + 1)) {
    for (let i = 0; i < nd; i++) L.push(values.slice(i * cols, i * cols + nd));
    if (cols === nd + 1) {
      b = L.map((_, i) => values[i * cols + nd]);
      homogeneous = true;
    }
  } else if (rows === nd + 1 && cols === nd + 1) {
    const last = values.slice(nd * cols);
    if (last.some((e, k) => e !== (k === nd ? 1 : 0))) throw new TesseraError(`${fn}: matrix's last row must be [${[...new Array(nd).fill(0), 1]}]; got [${last}]`);
    for (let i = 0; i < nd; i++) L.push(values.slice(i * cols, i * cols + nd));
    b = L.map((_, i) => values[i * cols + nd]);
    homogeneous = true;
  } else {
    throw new TesseraError(`${fn}: matrix must be ${nd}x${nd}, ${nd}x${nd + 1} or ${nd + 1}x${nd + 1} for a ${nd}D input; got ${rows}x${cols}`);
  }
  if (!homogeneous && options.offset !== undefined) {
    const o = options.offset;
    if (typeof o === 'number') b = new Array<number>(nd).fill(o);
    else {
      const arr = Array.from(o as ArrayLike<number>);
      if (arr.length !== nd) throw new TesseraError(`${fn}: options.offset must be a number or ${nd} numbers (z, y, x order); got ${arr.length}`);
      b = arr;
    }
    if (b.some((v) => typeof v !== 'number' || !Number.isFinite(v))) throw new TesseraError(`${fn}: options.offset must hold finite numbers; got [${b}]`);
  }
  const order = options.order ?? 1;
  if (order !== 0 && order !== 1) throw new TesseraError(`${fn}: options.order must be 0 (nearest) or 1 (linear); got ${String(order)}`);
  const { mode, cval } = checkTransformOptions({ mode: options.mode, cval: options.cval }, fn, 'constant');
  const outDtype = options.output === undefined ? input.dtype : checkDType(options.output, `${fn}: options.output`);
  const outShape = options.outputShape === undefined ? [...input.shape] : checkShape([...options.outputShape], `${fn}: options.outputShape`);
  if (outShape.length !== nd) throw new TesseraError(`${fn}: options.outputShape must have ${nd} entries like the input; got [${outShape}]`);
  // (z, y, x) rows -> (x, y, z) Mat4: axis k of numpy is axis nd-1-k of (x, y, z).
  const inv = identity();
  for (let i = 0; i < nd; i++) {
    for (let j = 0; j < nd; j++) inv[(nd - 1 - i) * 4 + (nd - 1 - j)] = L[i][j];
    inv[(nd - 1 - i) * 4 + 3] = b[i];
  }
  const floatSample = order === 1 || computeType(input.dtype) === 'f32';
  return sampleAffine({
    input,
    outShape,
    outDtype,
    inverse: inv,
    interpolation: order === 1 ? 'linear' : 'nearest',
    mode,
    cval,
    roundHalfAway: floatSample,
  });
});
