/** Strided copies between host arrays, and bounded concurrency, for the readers and writers. */
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
