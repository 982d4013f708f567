import { TesseraError } from '../errors';
import { acquireBuffer, sizeClass } from '../gpu/buffer-pool';
import { flush, recordCopy } from '../gpu/commands';
import { deviceGeneration, gpuDevice, onDeviceReset } from '../gpu/device';
import { TRANSFER_CHUNK, readBuffer } from '../gpu/readback';
import { checkFinite } from './finite-check';
import { checkDType, checkImage, checkOptionKeys, checkOptionsObject, checkShape, checkTypedArray } from '../validate/arguments';
import { DType, TypedArray, allocTypedArray, bytesPerPixel, dtypeRange, typedArrayOf } from '../dtype';
import { GpuImage } from './gpu-image';

/** Pixels brought back from the GPU: a typed array in z, y, x order plus its shape. */
export interface HostImage {
  data: TypedArray;
  shape: number[];
  dtype: DType;
}

export interface PushOptions {
  /** Store as this dtype instead of the array's own (values are converted, saturating). */
  dtype?: DType;
  /**
   * Accept NaN and ±Inf in float input. Off by default: most operations (thresholds,
   * min/max, histograms) would give silently wrong answers on them. The check runs on the
   * GPU; a failure is thrown by the next call that returns results to the host.
   */
  allowNonFinite?: boolean;
}

const paddedBytes = (size: number, dtype: DType) => Math.ceil((size * bytesPerPixel(dtype)) / 4) * 4;

/** Flattens nested number arrays, returning the data and the shape the nesting implies. */
function flattenNested(data: unknown[]): { flat: number[]; shape: number[] } {
  const shape: number[] = [];
  for (let level: unknown = data; Array.isArray(level); level = level[0]) shape.push(level.length);
  const flat: number[] = [];
  const walk = (x: unknown, depth: number) => {
    if (depth === shape.length) {
      if (typeof x !== 'number') throw new TesseraError(`push: data must hold only numbers; found ${typeof x}`);
      flat.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) {
      throw new TesseraError(`push: nested array data is ragged: expected length ${shape[depth]} at depth ${depth}`);
    }
    for (const e of x) walk(e, depth + 1);
  };
  walk(data, 0);
  return { flat, shape };
}

/**
 * Converts to `dtype` with rounding toward zero and saturation (as on the GPU). NaN and ±Inf
 * have no integer value: unless `allowNonFinite` (then NaN becomes 0, ±Inf saturates), they
 * are refused, as float32 data with them is (the GPU check of float32 pushes).
 */
function convertArray(src: ArrayLike<number>, dtype: DType, allowNonFinite = false): TypedArray {
  const out = allocTypedArray(dtype, src.length);
  if (dtype === 'float32') {
    (out as Float32Array).set(src);
    return out;
  }
  const [lo, hi] = dtypeRange(dtype);
  let nonFinite = 0;
  let first = -1;
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (v - v !== 0 && ++nonFinite === 1) first = i; // NaN or ±Inf
    out[i] = v !== v ? 0 : v < lo ? lo : v > hi ? hi : Math.trunc(v);
  }
  if (nonFinite > 0 && !allowNonFinite) {
    throw new TesseraError(
      `push(${dtype}): data contains ${nonFinite} NaN/Inf value(s), the first at index ${first}, which have no ${dtype} value. ` +
        'Replace them before pushing, or pass { allowNonFinite: true } (NaN becomes 0, Inf saturates)',
    );
  }
  return out;
}

/**
 * Copies pixels to the GPU. `data` is a typed array (its type gives the dtype; Float64Array
 * becomes float32, as in pyclesperanto) or nested number arrays (float32 unless
 * `options.dtype`). `shape` (z, y, x order) defaults to the nesting, or to [length].
 *
 * The pixels are copied once into a mapped upload buffer, and the GPU copies them into the
 * image's buffer (recorded in order with the operations around it).
 */
export function push(data: TypedArray | unknown[], shape?: readonly number[], options: PushOptions = {}): GpuImage {
  checkOptionKeys(checkOptionsObject<PushOptions>(options, 'push: options'), ['dtype', 'allowNonFinite'], 'push: options');
  let arr: TypedArray;
  let inferred: number[];
  if (Array.isArray(data)) {
    const { flat, shape: s } = flattenNested(data);
    if (flat.length === 0) throw new TesseraError('push: data is empty (zero-size images are not supported)');
    arr = convertArray(flat, options.dtype ?? 'float32', options.allowNonFinite);
    inferred = s;
  } else {
    checkTypedArray(data, 'push: data');
    arr = data;
    inferred = [data.length];
  }
  // Copied after the check: spreading a string shape ('2,2') would turn it into characters.
  const dims = shape == null ? checkShape(inferred, 'push: shape') : [...checkShape(ArrayBuffer.isView(shape) ? Array.from(shape as unknown as ArrayLike<number>) : shape, 'push: shape')];
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== arr.length) {
    throw new TesseraError(`push: shape [${dims}] holds ${size} pixels but data has ${arr.length}`);
  }
  const dtype = options.dtype ? checkDType(options.dtype, 'push: options.dtype') : checkTypedArray(arr, 'push: data');
  if (arr instanceof Float64Array || checkTypedArray(arr, 'push: data') !== dtype || arr instanceof Uint8ClampedArray) {
    arr = convertArray(arr, dtype, options.allowNonFinite);
  }
  const image = allocate(dims, dtype, () => `push(shape [${dims}], ${dtype})`);
  upload(image.buffer, new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
  if (dtype === 'float32' && !options.allowNonFinite) checkFinite(image, `push(shape [${dims}], float32)`);
  return image;
}

/**
 * Upload buffers (MAP_WRITE | COPY_SRC), kept mapped and reused: after a buffer's copy is
 * submitted it is mapped again in the background, so the next push writes into memory that
 * is already allocated and mapped (fresh mapped-at-creation buffers cost an allocation and a
 * zero-fill per push). Sized by class; a push larger than any free one makes a new one.
 */
const uploads = new Map<number, GPUBuffer[]>();
onDeviceReset(() => uploads.clear());

function upload(target: GPUBuffer, bytes: Uint8Array): void {
  // Large uploads go in chunks, each submitted at once: the GPU's copy of one chunk overlaps
  // the host's copy of the next.
  for (let offset = 0; offset < bytes.byteLength; offset += TRANSFER_CHUNK) {
    const chunk = bytes.subarray(offset, Math.min(bytes.byteLength, offset + TRANSFER_CHUNK));
    const padded = Math.ceil(chunk.byteLength / 4) * 4;
    const size = sizeClass(padded);
    const staging =
      uploads.get(size)?.pop() ??
      gpuDevice().createBuffer({ size, usage: GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC, mappedAtCreation: true });
    new Uint8Array(staging.getMappedRange(0, size), 0, chunk.byteLength).set(chunk);
    staging.unmap();
    recordCopy(staging, 0, target, offset, padded);
    // The copy must be submitted before the buffer can be mapped again; it is free once mapped.
    flush();
    const generation = deviceGeneration();
    staging.mapAsync(GPUMapMode.WRITE).then(
      () => {
        if (generation !== deviceGeneration()) return;
        let list = uploads.get(size);
        if (!list) uploads.set(size, (list = []));
        list.push(staging);
      },
      () => staging.destroy(),
    );
  }
}

/** A new image of `shape` and `dtype` (default float32). Its pixels are undefined until written. */
export function create(shape: readonly number[], dtype: DType = 'float32'): GpuImage {
  // A frozen shape (another image's) cannot change under us: no copy needed.
  const dims = checkShape(Object.isFrozen(shape) ? shape : [...shape], 'create: shape');
  checkDType(dtype, 'create: dtype');
  return allocate(dims, dtype, () => `create(shape [${dims}], ${dtype})`);
}

/** An image over a pooled buffer; `what` names the request in memory errors. */
function allocate(shape: readonly number[], dtype: DType, what: () => string): GpuImage {
  let size = 1;
  for (const e of shape) size *= e;
  return new GpuImage(acquireBuffer(paddedBytes(size, dtype), what), shape, dtype);
}

/** A new image with the shape (and, unless given, the dtype) of `image`. */
export function createLike(image: GpuImage, dtype?: DType): GpuImage {
  checkImage(image, 'createLike: image');
  return create(image.shape, dtype ?? image.dtype);
}

/**
 * Copies an image back to the host. Waits for all recorded work that writes it.
 * Returns a typed array of the image's dtype (a fresh copy, safe to keep) and its shape.
 * Pass `into` (a typed array of the image's dtype and size) to reuse host memory: for large
 * images, filling fresh memory costs more than the copy itself (page faults).
 */
export async function pull(image: GpuImage, into?: TypedArray): Promise<HostImage> {
  checkImage(image, 'pull: image');
  if (into !== undefined) {
    if (checkTypedArray(into, 'pull: into') !== image.dtype || into instanceof Float64Array || into.length !== image.size) {
      throw new TesseraError(`pull: into must be a ${image.dtype} typed array of ${image.size} elements; got ${into.constructor.name}(${into.length})`);
    }
  }
  const data = await readBuffer(image.buffer, image.storageBytes, into && new Uint8Array(into.buffer, into.byteOffset, into.byteLength));
  return { data: into ?? typedArrayOf(image.dtype, data, 0, image.size), shape: [...image.shape], dtype: image.dtype };
}
