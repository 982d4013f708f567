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
  const inner = lo.length - 1;
  const contiguous = srcStride[inner] === 1 && dstStride[inner] === 1;
  let rowLength = hi[inner] - lo[inner];
  // Rows as long as both arrays' rows make planes contiguous, whole planes volumes: those are
  // copied as one run instead of row by row (each row's copy costs ~0.4 µs beyond its bytes,
  // and short scattered rows are the slowest way to move memory).
  let last = inner;
  while (contiguous && last > 0 && srcStride[last - 1] === rowLength && dstStride[last - 1] === rowLength) {
    last--;
    rowLength *= hi[last] - lo[last];
  }
  // Offsets of the axes merged into runs (where the box starts along them).
  let s0 = 0;
  let d0 = 0;
  for (let k = last + 1; k <= inner; k++) {
    s0 += (lo[k] - srcOrigin[k]) * srcStride[k];
    d0 += (lo[k] - dstOrigin[k]) * dstStride[k];
  }
  const idx = lo.slice(0, last);
  for (;;) {
    let s = s0 + (lo[last] - srcOrigin[last]) * srcStride[last];
    let d = d0 + (lo[last] - dstOrigin[last]) * dstStride[last];
    for (let k = 0; k < last; k++) {
      s += (idx[k] - srcOrigin[k]) * srcStride[k];
      d += (idx[k] - dstOrigin[k]) * dstStride[k];
    }
    if (contiguous) {
      dst.set(src.subarray(s, s + rowLength), d);
    } else {
      for (let j = 0; j < rowLength; j++) dst[d + j * dstStride[inner]] = src[s + j * srcStride[inner]];
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
