/**
 * Colouring in the browser: lookup tables, overlays, outlines and the curtain are the kernel's
 * implementation (kernel-lib/src/viewers/colorize.ts, shared so that the kernel's static pictures
 * look like the views); the histogram's bar scaling is the browser's own.
 */
export * from 'tessera/dist/src/viewers/colorize.js';

/** Bins of a histogram as bar heights in 0..1, on a log scale so that small counts stay visible. */
export function histogramBars(counts: ArrayLike<number>): number[] {
  const logs = Array.from(counts, (c) => Math.log1p(c));
  const top = Math.max(...logs, 1e-9);
  return logs.map((l) => l / top);
}
