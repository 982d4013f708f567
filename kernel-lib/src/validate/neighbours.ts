import { isFloat } from '../dtype';
import { TesseraError } from '../errors';
import type { GpuImage } from '../array/gpu-image';
import { checkImage, checkInteger } from './arguments';

/**
 * Checks of the neighbour-graph arguments: label images, pointlists (pyclesperanto's layout:
 * a 2D image of shape [dims, N], row 0 holding x, row 1 y, row 2 z), matrices indexed by label
 * (row/column 0 = background) and index lists.
 */

/** A label image: an integer image of 1 to 3 dimensions (labels 1..N, background 0). */
export function checkLabelImage(x: unknown, argument: string): GpuImage {
  const img = checkImage(x, argument);
  if (isFloat(img.dtype)) {
    throw new TesseraError(`${argument} must be a label image of an integer dtype (uint8/16/32, int8/16/32); got ${img.dtype} (convert it first, e.g. tessera.convert(image, 'uint32'))`);
  }
  if (img.ndim > 3) throw new TesseraError(`${argument} must have 1 to 3 dimensions; got shape [${img.shape}] (process a time series frame by frame)`);
  return img;
}

/** A pointlist: shape [dims, N] with 1 to 3 rows (x, y, z) and N >= 1 points. */
export function checkPointlist(x: unknown, argument: string): GpuImage {
  const img = checkImage(x, argument);
  if (img.ndim !== 2 || img.shape[0] > 3) {
    const hint = img.ndim === 2 && img.shape[1] <= 3 ? ` (transposed? a pointlist has one row per axis: [${img.shape[1]}, ${img.shape[0]}])` : '';
    throw new TesseraError(`${argument} must be a pointlist of shape [dims, N] with 1 to 3 rows (x, y, z coordinates); got shape [${img.shape}]${hint}`);
  }
  return img;
}

/** A 2D matrix (touch, distance or adjacency matrix); `square` also requires rows == columns. */
export function checkMatrix(x: unknown, argument: string, square = true): GpuImage {
  const img = checkImage(x, argument);
  if (img.ndim !== 2 || (square && img.shape[0] !== img.shape[1])) {
    throw new TesseraError(`${argument} must be a ${square ? 'square ' : ''}2D matrix ([N + 1, N + 1] with row and column 0 for the background); got shape [${img.shape}]`);
  }
  return img;
}

/** `n` of the n-nearest-neighbour operations: an integer 1 <= n <= candidates. */
export function checkNeighbourCount(n: unknown, candidates: number, argument: string, what = 'points'): number {
  checkInteger(n, argument, 1);
  if ((n as number) > candidates) {
    throw new TesseraError(`${argument} (${n}) is larger than the number of other ${what} available (${candidates})`);
  }
  return n as number;
}

/**
 * A set of label ids: an array or typed array of whole numbers >= 0 (0, the background, and ids
 * above the image's largest label select nothing).
 */
export type LabelIds = ArrayLike<number>;

/**
 * Which lines a mesh keeps: those between two labels of one set (`ids`), or those with one end in
 * `from` and the other in `to`.
 */
export type LabelSubset = LabelIds | { from: LabelIds; to: LabelIds };

function checkLabelIds(x: unknown, argument: string): LabelIds {
  if (!(Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView)))) {
    throw new TesseraError(`${argument} must be an array of label ids (numbers, e.g. from classifySurfaceLabels); got ${x === null ? 'null' : typeof x}`);
  }
  const ids = x as ArrayLike<unknown>;
  for (let k = 0; k < ids.length; k++) {
    const v = ids[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new TesseraError(`${argument}[${k}] must be a label id (a whole number >= 0); got ${String(v)}`);
    }
  }
  return ids as LabelIds;
}

/** A {@link LabelSubset} as the two sets a line must join (both the same set for a plain list). */
export function checkLabelSubset(x: unknown, argument: string): { from: LabelIds; to: LabelIds } {
  if (typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x)) {
    const keys = Object.keys(x);
    if (!('from' in x) || !('to' in x) || keys.some((k) => k !== 'from' && k !== 'to')) {
      throw new TesseraError(`${argument} must be an array of label ids or { from, to } (two arrays of label ids); got keys ${keys.join(', ') || 'none'}`);
    }
    const s = x as { from: unknown; to: unknown };
    return { from: checkLabelIds(s.from, `${argument}.from`), to: checkLabelIds(s.to, `${argument}.to`) };
  }
  const ids = checkLabelIds(x, argument);
  return { from: ids, to: ids };
}
