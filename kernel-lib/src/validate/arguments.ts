import { GpuImage } from '../array/gpu-image';
import { TesseraError } from '../errors';

/**
 * Argument checks shared by every operation. Each runs before any GPU work and names the
 * argument at fault, as CuPy's _check_nd_args does.
 */

export function checkImage(x: unknown, argument: string): GpuImage {
  if (!(x instanceof GpuImage)) {
    const what = x === null ? 'null' : Array.isArray(x) ? 'a plain array (push it first: tessera.push(data, shape))' : typeof x;
    throw new TesseraError(`${argument} must be a GpuImage; got ${what}`);
  }
  if (x.released) throw new TesseraError(`${argument} was released and cannot be used any more`);
  return x;
}

export function checkSameShape(a: GpuImage, b: GpuImage, names: [string, string]): void {
  if (a.shape.length !== b.shape.length || a.shape.some((e, k) => e !== b.shape[k])) {
    throw new TesseraError(`${names[0]} (shape [${a.shape}]) and ${names[1]} (shape [${b.shape}]) must have the same shape`);
  }
}

export function checkDims(img: GpuImage, allowed: number[], argument: string): void {
  if (!allowed.includes(img.ndim)) {
    throw new TesseraError(`${argument} must have ${allowed.join(' or ')} dimensions; got shape [${img.shape}]`);
  }
}

export function checkNumber(x: unknown, argument: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new TesseraError(`${argument} must be a finite number; got ${typeof x === 'number' ? x : typeof x}`);
  }
  return x;
}

export function checkInteger(x: unknown, argument: string, min = -Infinity, max = Infinity): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
    const range = `${min === -Infinity ? '' : ` >= ${min}`}${max === Infinity ? '' : `${min === -Infinity ? '' : ' and'} <= ${max}`}`;
    throw new TesseraError(`${argument} must be an integer${range}; got ${String(x)}`);
  }
  return x;
}

/** A shape: 1 to 4 positive integer extents. */
export function checkShape(shape: unknown, argument = 'shape'): number[] {
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 4) {
    throw new TesseraError(`${argument} must be an array of 1 to 4 extents (z, y, x order); got ${JSON.stringify(shape)}`);
  }
  for (const e of shape) {
    if (!Number.isInteger(e) || e < 1) {
      throw new TesseraError(`${argument} must hold positive integers (zero-size images are not supported); got [${shape}]`);
    }
  }
  return shape as number[];
}
