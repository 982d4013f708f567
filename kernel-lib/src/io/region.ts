/** N-dimensional boxes over chunk grids: validation, the chunks a box touches, and strided copies. */
import { TesseraError } from '../errors';

/** A box of an array: its first index and extent per dimension. */
export interface Box {
  start: number[];
  size: number[];
}

export const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** C-order strides (in elements) of an array of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    strides[k] = step;
    step *= shape[k];
  }
  return strides;
}

/**
 * Checks that `start` and `size` describe a non-empty box inside `shape`, naming the call in
 * errors. `size` defaults to the rest of the array from `start`.
 */
export function checkBox(shape: readonly number[], start: unknown, size: unknown, what: string): Box {
  const n = shape.length;
  const isInts = (x: unknown): x is number[] => Array.isArray(x) && x.length === n && x.every((e) => Number.isInteger(e));
  if (!isInts(start)) throw new TesseraError(`${what}: start must be ${n} integers (one per dimension of shape [${shape}]); got ${JSON.stringify(start)}`);
  const sz = size ?? shape.map((e, k) => e - start[k]);
  if (!isInts(sz)) throw new TesseraError(`${what}: size must be ${n} integers (one per dimension of shape [${shape}]); got ${JSON.stringify(size)}`);
  for (let k = 0; k < n; k++) {
    if (start[k] < 0 || sz[k] < 1 || start[k] + sz[k] > shape[k]) {
      throw new TesseraError(
        `${what}: the box from [${start}] of size [${sz}] is not inside the array of shape [${shape}] ` +
          `(dimension ${k}: ${start[k]}..${start[k] + sz[k] - 1} of 0..${shape[k] - 1}; sizes must be at least 1)`,
      );
    }
  }
  return { start: [...start], size: [...sz] };
}

/** Coordinates of every chunk of a `chunks` grid that intersects `box`, in C order. */
export function chunksOf(box: Box, chunks: readonly number[]): number[][] {
  const first = box.start.map((s, k) => Math.floor(s / chunks[k]));
  const last = box.start.map((s, k) => Math.floor((s + box.size[k] - 1) / chunks[k]));
  const out: number[][] = [];
  const c = [...first];
  for (;;) {
    out.push([...c]);
    let k = c.length - 1;
    for (; k >= 0; k--) {
      if (++c[k] <= last[k]) break;
      c[k] = first[k];
    }
    if (k < 0) return out;
  }
}

/** The part of `box` inside chunk `coords` of a `chunks` grid, as [lo, hi) per dimension in array coordinates. */
export function intersect(box: Box, coords: readonly number[], chunks: readonly number[]): { lo: number[]; hi: number[] } {
  const lo = coords.map((c, k) => Math.max(box.start[k], c * chunks[k]));
  const hi = coords.map((c, k) => Math.min(box.start[k] + box.size[k], (c + 1) * chunks[k]));
  return { lo, hi };
}

type Indexable = { [i: number]: number; subarray(a: number, b: number): ArrayLike<number> };
type Settable = { [i: number]: number; set(src: ArrayLike<number>, offset: number): void };

/**
 * Copies the cells [lo, hi) (array coordinates) from `src`, an array laid out with `srcStride`
 * whose first cell sits at array coordinate `srcOrigin`, into `dst`, laid out likewise.
 * Rows along the last dimension are copied with `set` when contiguous in the source
 * (converting between typed-array types as `set` does, e.g. float64 to float32).
 */
export function copyBox(
  src: Indexable, srcStride: readonly number[], srcOrigin: readonly number[],
  dst: Settable, dstStride: readonly number[], dstOrigin: readonly number[],
  lo: readonly number[], hi: readonly number[],
): void {
  const last = lo.length - 1;
  const rowLength = hi[last] - lo[last];
  const idx = lo.slice(0, last);
  for (;;) {
    let s = (lo[last] - srcOrigin[last]) * srcStride[last];
    let d = (lo[last] - dstOrigin[last]) * dstStride[last];
    for (let k = 0; k < last; k++) {
      s += (idx[k] - srcOrigin[k]) * srcStride[k];
      d += (idx[k] - dstOrigin[k]) * dstStride[k];
    }
    if (srcStride[last] === 1 && dstStride[last] === 1) {
      dst.set(src.subarray(s, s + rowLength), d);
    } else {
      for (let j = 0; j < rowLength; j++) dst[d + j * dstStride[last]] = src[s + j * srcStride[last]];
    }
    let k = last - 1;
    for (; k >= 0; k--) {
      if (++idx[k] < hi[k]) break;
      idx[k] = lo[k];
    }
    if (k < 0) return;
  }
}

/** Runs `task` on every item with at most `limit` running at once; rejects with the first error. */
export async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
