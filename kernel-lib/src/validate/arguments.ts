import { DTYPES, DType, dtypeOfTypedArray, isDType } from '../dtype';
import { TesseraError } from '../errors';
import type { GpuImage } from '../array/gpu-image';

/**
 * Argument checks shared by every operation: the one home of Tessera's argument validation.
 * Each runs before any GPU work and names the argument at fault (`argument` is the full name,
 * e.g. `'gaussianBlur: sigmaX'`), as CuPy's _check_nd_args does.
 */

/**
 * Marks GpuImage instances. Checks test the brand rather than `instanceof`, so that this layer
 * needs no runtime import of the array layer, and images from another loaded copy of the
 * package are still recognised (a notebook kernel may ship its own copy of Tessera).
 */
export const GPU_IMAGE_BRAND = Symbol.for('tessera.GpuImage');

/** Whether `x` is a GpuImage (released or not). */
export function isGpuImage(x: unknown): x is GpuImage {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[GPU_IMAGE_BRAND] === true;
}

/**
 * What `x` is, for error messages: `null`, `string "3"`, `a Promise (...)`, `a Float32Array`,
 * with a hint for the two slips a new user makes most: host data not pushed yet and a
 * forgotten `await` (thresholds, statistics and pull are async).
 */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'string') return `string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)}`;
  if (typeof x !== 'object') return typeof x === 'number' ? String(x) : typeof x;
  if (x instanceof Promise || typeof (x as { then?: unknown }).then === 'function') {
    return 'a Promise (did you forget `await`? e.g. `await tessera.thresholdOtsu(image)`)';
  }
  if (Array.isArray(x) || ArrayBuffer.isView(x)) {
    return `${Array.isArray(x) ? 'a plain array' : `a ${x.constructor.name}`} (push it first: tessera.push(data, shape))`;
  }
  if (isGpuImage(x)) return 'a GpuImage';
  const name = (x as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

export function checkImage(x: unknown, argument: string): GpuImage {
  if (!isGpuImage(x)) throw new TesseraError(`${argument} must be a GpuImage; got ${typeof x === 'number' ? 'number' : describeValue(x)}`);
  if (x.released) throw new TesseraError(`${argument} was released and cannot be used any more`);
  return x;
}

export function checkSameShape(a: GpuImage, b: GpuImage, names: [string, string]): void {
  if (a.shape.length !== b.shape.length || a.shape.some((e, k) => e !== b.shape[k])) {
    throw new TesseraError(`${names[0]} (shape [${a.shape}]) and ${names[1]} (shape [${b.shape}]) must have the same shape`);
  }
}

/** Two image arguments of `fn` of the same shape. */
export function checkImagePair(fn: string, a: unknown, b: unknown, names: [string, string] = ['input0', 'input1']): [GpuImage, GpuImage] {
  const x = checkImage(a, `${fn}: ${names[0]}`);
  const y = checkImage(b, `${fn}: ${names[1]}`);
  checkSameShape(x, y, [`${fn}: ${names[0]}`, names[1]]);
  return [x, y];
}

export function checkDims(img: GpuImage, allowed: number[], argument: string): void {
  if (!allowed.includes(img.ndim)) {
    throw new TesseraError(`${argument} must have ${allowed.join(' or ')} dimensions; got shape [${img.shape}]`);
  }
}

/**
 * A number argument that got an image: pyclesperanto's functions take an output image after
 * the inputs, Tessera's return their result instead.
 */
const outputHint = (x: unknown) => (isGpuImage(x) ? ' (Tessera returns the result: leave out the output image pyclesperanto takes)' : '');

export function checkNumber(x: unknown, argument: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new TesseraError(`${argument} must be a finite number; got ${typeof x === 'number' ? x : describeValue(x)}${outputHint(x)}`);
  }
  return x;
}

export function checkInteger(x: unknown, argument: string, min = -Infinity, max = Infinity): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
    const range = `${min === -Infinity ? '' : ` >= ${min}`}${max === Infinity ? '' : `${min === -Infinity ? '' : ' and'} <= ${max}`}`;
    throw new TesseraError(`${argument} must be an integer${range}; got ${typeof x === 'number' ? x : describeValue(x)}${outputHint(x)}`);
  }
  return x;
}

export function checkBoolean(x: unknown, argument: string): boolean {
  if (typeof x !== 'boolean') throw new TesseraError(`${argument} must be true or false; got ${String(x)}`);
  return x;
}

/** One of `values` (string options such as a connectivity or a mode). */
export function checkChoice<T extends string>(x: unknown, values: readonly T[], argument: string): T {
  if (typeof x !== 'string' || !(values as readonly string[]).includes(x)) {
    const quoted = values.map((v) => `'${v}'`);
    const allowed = quoted.length === 2 ? `${quoted[0]} or ${quoted[1]}` : `one of ${quoted.join(', ')}`;
    throw new TesseraError(`${argument} must be ${allowed}; got ${JSON.stringify(x)}`);
  }
  return x as T;
}

/** A shape: 1 to 4 positive integer extents. */
export function checkShape(shape: unknown, argument = 'shape'): number[] {
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 4) {
    throw new TesseraError(`${argument} must be an array of 1 to 4 extents (z, y, x order); got ${JSON.stringify(shape)}`);
  }
  for (const e of shape) {
    if (!Number.isInteger(e) || e < 1) {
      throw new TesseraError(`${argument} must hold positive integers (zero-size images are not supported); got ${JSON.stringify(shape)}`);
    }
  }
  return shape as number[];
}

/** Validates a dtype argument, naming it in the error. */
export function checkDType(x: unknown, argument = 'dtype'): DType {
  if (!isDType(x)) {
    throw new TesseraError(`${argument} must be one of ${DTYPES.join(', ')}; got ${JSON.stringify(x)}`);
  }
  return x;
}

/** The dtype a typed-array argument holds (Float64Array maps to float32, as pyclesperanto converts on push). */
export function checkTypedArray(a: unknown, argument: string): DType {
  const d = dtypeOfTypedArray(a);
  if (d !== undefined) return d;
  const name = (a as object)?.constructor?.name ?? typeof a;
  throw new TesseraError(
    `${argument} must be a typed array (Uint8/Int8/Uint16/Int16/Uint32/Int32/Float32/Float64Array) or nested number arrays; got ${name}`,
  );
}

/** A placeholder → dtype map (custom kernels' `options.types`), for the kernel's `placeholders`. */
export function checkPlaceholderTypes(fn: string, types: unknown, placeholders: readonly string[]): Record<string, DType> {
  if (types === undefined) return {};
  if (typeof types !== 'object' || types === null) throw new TesseraError(`${fn}: options.types must be an object like { T: 'uint8' }`);
  const out: Record<string, DType> = {};
  for (const [k, v] of Object.entries(types)) {
    if (!placeholders.includes(k)) throw new TesseraError(`${fn}: options.types names ${k}, which is not a placeholder of this kernel (${placeholders.join(', ') || 'none'})`);
    out[k] = checkDType(v, `${fn}: options.types.${k}`);
  }
  return out;
}

/**
 * A voxel size: one positive finite number per axis of an image of `ndim` axes, in the image's
 * axis order (z, y, x); `undefined` means 1 on every axis.
 */
export function checkVoxelSize(x: unknown, ndim: number, argument: string): number[] {
  if (x === undefined) return new Array(ndim).fill(1);
  if (!(Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView))) || (x as ArrayLike<unknown>).length !== ndim) {
    throw new TesseraError(`${argument} must be ${ndim} numbers, one per axis in (z, y, x) order; got ${Array.isArray(x) ? `[${x}]` : typeof x}`);
  }
  const v = Array.from(x as ArrayLike<unknown>);
  v.forEach((s, k) => {
    if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0) throw new TesseraError(`${argument}[${k}] must be a positive finite number; got ${String(s)}`);
  });
  return v as number[];
}

/** A trailing options object of an operation (a plain object; fields are checked by the operation). */
export function checkOptionsObject<T extends object>(x: unknown, argument: string): T {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new TesseraError(`${argument} must be an options object; got ${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}`);
  return x as T;
}

/**
 * Refuses fields of an options object that the function does not know: a misspelt option
 * (`{ Mode: 'constant' }`, `{ dtyp: 'uint8' }`) would otherwise be ignored without a word.
 */
export function checkOptionKeys(options: object, known: readonly string[], argument: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? known.find((k) => editDistance(k, key) <= 2);
    throw new TesseraError(`${argument} has no option ${JSON.stringify(key)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}; its options are ${known.join(', ')}`);
  }
}

/** Levenshtein distance of two short strings (for "did you mean"). */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}
