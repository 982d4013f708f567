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
