/**
 * The one error type Tessera throws for anything the caller can fix: bad arguments,
 * released images, memory budget, missing GPU driver. The message always names the
 * argument or resource at fault and, where there is one, the remedy.
 */
export class TesseraError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TesseraError';
  }
}

/** Throws a TesseraError when `condition` is false. */
export function check(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new TesseraError(typeof message === 'function' ? message() : message);
}

/**
 * A size in bytes for messages and summaries: `256 B`, `12.5 kB`, `8.0 MB` (1 kB = 1024 B),
 * so that small images and budgets do not all read "0.0 MB".
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}
