import { TesseraError } from '../errors';
import { releaseBuffer } from '../gpu/buffer-pool';
import { bindingLimit, deviceGeneration } from '../gpu/device';
import { DType, bytesPerPixel } from '../dtype';
import { GPU_IMAGE_BRAND } from '../validate/arguments';

/** What an image holds: its buffer until released, for the device generation that made it. */
interface Held {
  buffer: GPUBuffer | undefined;
  readonly generation: number;
}

// Images the user drops without release() give their buffer back to the pool when collected.
// Released images stay registered (unregistering costs more than registering): their entry
// finds no buffer.
const collected = new FinalizationRegistry<Held>((held) => {
  if (held.buffer && held.generation === deviceGeneration()) releaseBuffer(held.buffer);
});

/**
 * An image in GPU memory: a storage buffer plus shape (z, y, x order, 1 to 4 dimensions)
 * and pixel type. Created by `push`, `create` or any operation; read back with `pull`.
 * Release it with `release()` (or a `using` declaration) when done; images that are
 * garbage-collected are released too, but later.
 */
export class GpuImage {
  /** @internal Recognised by the argument checks (validate/arguments.ts). */
  readonly [GPU_IMAGE_BRAND] = true;
  /** Extent per dimension, outermost first: [z, y, x] for 3D, [t, z, y, x] for 4D. */
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Number of pixels. */
  readonly size: number;
  readonly #held: Held;

  /** @internal Use push/create; this wraps a buffer the pool handed out. A frozen `shape` is kept as is. */
  constructor(buffer: GPUBuffer, shape: readonly number[], dtype: DType) {
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.dtype = dtype;
    let size = 1;
    for (const e of shape) size *= e;
    this.size = size;
    this.#held = { buffer, generation: deviceGeneration() };
    collected.register(this, this.#held);
  }

  /** Dimensions: 1 to 4. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Bytes of pixel data (without the padding to whole 32-bit words). */
  get nbytes(): number {
    return this.size * bytesPerPixel(this.dtype);
  }

  /** Bytes the image occupies in its storage buffer: whole 32-bit words (8/16-bit pixels are packed). */
  get storageBytes(): number {
    return Math.ceil(this.nbytes / 4) * 4;
  }

  /**
   * Whether the image is larger than one GPU storage binding (2 GB on an H200, 128 MB on lavapipe):
   * it lives in one large buffer, and operations run on it in slabs (array/slabs.ts).
   */
  get large(): boolean {
    return this.storageBytes > bindingLimit();
  }

  /** True after `release()` (or when the GPU device was replaced). */
  get released(): boolean {
    return this.#held.buffer === undefined || this.#held.generation !== deviceGeneration();
  }

  /** @internal The GPU buffer; throws when the image was released. */
  get buffer(): GPUBuffer {
    if (this.released) {
      throw new TesseraError(`this image (shape [${this.shape}], ${this.dtype}) was released and cannot be used any more`);
    }
    return this.#held.buffer!;
  }

  /** Returns the GPU memory to the pool. Using the image afterwards throws. Idempotent. */
  release(): void {
    const held = this.#held;
    if (held.buffer && held.generation === deviceGeneration()) releaseBuffer(held.buffer);
    held.buffer = undefined;
  }

  [Symbol.dispose](): void {
    this.release();
  }

  /** One-line summary without reading pixels (shape, dtype, size). */
  toString(): string {
    const mb = (this.nbytes / 1024 ** 2).toFixed(1);
    return `tessera.GpuImage shape [${this.shape.join(', ')}] ${this.dtype} ${mb} MB${this.released ? ' (released)' : ''}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
