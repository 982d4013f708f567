import { TesseraError } from '../errors';

/**
 * Checks of host-side measurement data (method comparison): a sample is a typed array or an
 * array of numbers (e.g. a column of a measurement table), every value finite.
 */

/** `x` as float64 values; throws naming the argument for anything that is not finite numbers. */
export function checkSample(x: unknown, argument: string): Float64Array {
  const isArray = Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
  if (!isArray) {
    const what = x === null ? 'null' : typeof x === 'object' ? (x as object).constructor?.name ?? 'object' : typeof x;
    throw new TesseraError(`${argument} must be an array of numbers, a typed array or a GpuImage; got ${what}`);
  }
  const values = x as ArrayLike<unknown>;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const num = typeof v === 'bigint' ? Number(v) : v;
    if (typeof num !== 'number' || !Number.isFinite(num)) {
      throw new TesseraError(`${argument}[${i}] must be a finite number; got ${typeof num === 'number' ? num : typeof v} (remove or impute missing measurements first)`);
    }
    out[i] = num;
  }
  return out;
}

/** Two samples of paired measurements: equal lengths of at least `minimum` pairs. */
export function checkPairedSamples(a: Float64Array, b: Float64Array, names: [string, string], minimum: number, why: string): void {
  if (a.length !== b.length) {
    throw new TesseraError(`${names[0]} (${a.length} values) and ${names[1]} (${b.length} values) must be paired: the same number of measurements`);
  }
  if (a.length < minimum) {
    throw new TesseraError(`${names[0]} and ${names[1]} hold ${a.length} pairs; at least ${minimum} are needed (${why})`);
  }
}
