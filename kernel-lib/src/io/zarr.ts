/**
 * Lazy Zarr arrays on the local filesystem: open (v2 or v3) or create (v3), read boxes and planes
 * chunk by chunk, push parts to the GPU, write tile results back.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DType, TypedArray, allocTypedArray, bytesPerPixel } from '../dtype';
import { GpuImage } from '../array/gpu-image';
import { HostImage, PushOptions, pull, push } from '../array/transfer';
import { TesseraError } from '../errors';
import { memoryStats } from '../gpu/buffer-pool';
import { deviceInfo } from '../gpu/device';
import { FsStore } from './fs-store';
import { Box, checkBox, chunksOf, copyBox, forEachLimited, intersect, product, stridesOf } from './region';
import { ArrayInfo, listArrays, parseV2, parseV3, readNode } from './zarr-metadata';
import { zarrita, type Zarrita } from './zarrita';
import { checkDType, checkTypedArray } from '../validate/arguments';

/** Chunks read or written at once by one call. */
const CONCURRENCY = 16;
const DEFAULT_CACHE_BYTES = 64 * 1024 ** 2;

/** A decoded chunk: its values (C or F order, as `stride` says). */
interface Decoded {
  data: TypedArray;
  stride: number[];
}

/** Options of {@link openZarr}. */
export interface OpenZarrOptions {
  /** The array inside a group, relative to `path` (e.g. `'labels/cells'` or `'0'` for OME-Zarr level 0). */
  arrayPath?: string;
  /** `'r'` (default): read only. `'r+'`: {@link ZarrArray.write} is allowed too. */
  mode?: 'r' | 'r+';
  /**
   * Bytes of decoded chunks kept for reuse (default 64 MB; 0 disables), so that neighbouring
   * planes (a slider through z) do not decode the same chunks again. Changes made to the files
   * by other programs are seen after opening the array again.
   */
  cacheBytes?: number;
}

/** Options of {@link createZarr}. */
export interface CreateZarrOptions {
  /** Chunk shape (default: each extent up to 128; the last chunk along a dimension may be partial). */
  chunks?: readonly number[];
  /** Chunk compression: `'zstd'` (default, level 3) or `'none'`. */
  codec?: 'zstd' | 'none';
  /** Value of chunks never written (default 0). */
  fillValue?: number;
  /** Replace an existing Zarr array or group at `path` (default: an existing path is an error). */
  overwrite?: boolean;
}

/** Human-readable byte count. */
function bytesText(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let k = 0;
  while (n >= 1024 && k < units.length - 1) {
    n /= 1024;
    k++;
  }
  return k === 0 ? `${n} B` : `${n.toFixed(1)} ${units[k]}`;
}

/** A message for an error from zarrita or the store, with its cause. */
function reason(e: unknown): string {
  const err = e as Error & { cause?: unknown };
  const cause = err?.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err?.message ?? String(e)}${cause}`;
}

/**
 * A Zarr array on disk, read lazily: only the chunks a call touches are read and decoded.
 * Shapes are in the order stored (z, y, x for 3D). Satisfies the widgets' `ImageSource`
 * (`shape`, `dtype`, `getSlice`), so it can be shown without loading it whole.
 *
 * Pixel types: Zarr uint8/16/32, int8/16/32 and float32 are read as they are; float64 is read
 * as float32 (rounded to nearest; magnitudes above 3.4e38 become ±Infinity); bool is read as
 * uint8 0/1. Chunks missing on disk read as the fill value, as Zarr defines.
 *
 * @example
 * const z = await tessera.openZarr('data/embryo.zarr');
 * console.log(String(z));                         // shape, dtype, chunks, size
 * const plane = await z.getSlice(0, 10);          // z = 10, as a { data, shape } host array
 * const img = await z.toGpu([0, 0, 0], [16, 512, 512]);
 */
export class ZarrArray {
  /** Extent per dimension, outermost first (z, y, x for 3D). */
  readonly shape: number[];
  /** The Tessera dtype pixels are read as (see the class notes for float64 and bool). */
  readonly dtype: DType;
  /** Chunk shape: the unit read from disk (inner chunks of sharded arrays). */
  readonly chunks: number[];
  /** The dtype as Zarr stores it (e.g. `float64` for an array read as float32). */
  readonly storedDtype: string;
  /** Zarr format version, 2 or 3. */
  readonly zarrFormat: 2 | 3;
  /** Codecs in encoding order, as zarrita names them (v2 codecs as `numcodecs.<id>`). */
  readonly codecs: readonly string[];
  /** Whether {@link write} is allowed (created arrays, or opened with `mode: 'r+'`). */
  readonly writable: boolean;
  /** The array's directory. */
  readonly path: string;

  /** Chunk writes in flight, by chunk key: writes touching one chunk run one after another. */
  readonly #writing = new Map<string, Promise<void>>();
  /** Decoded chunks by grid coordinates, least recently used first. */
  readonly #cache = new Map<string, Decoded>();
  #cachedBytes = 0;
  readonly #cacheLimit: number;
  /** Counts finished chunk writes: a read that overlapped one does not cache what it decoded. */
  #writes = 0;

  /** @internal Use {@link openZarr} or {@link createZarr}. */
  constructor(
    private readonly z: typeof Zarrita,
    private readonly array: Zarrita.Array<Zarrita.DataType, FsStore>,
    private readonly info: ArrayInfo,
    path: string,
    writable: boolean,
    cacheBytes: number,
  ) {
    this.shape = [...info.shape];
    this.dtype = info.dtype;
    this.chunks = [...info.chunks];
    this.storedDtype = info.storedDtype;
    this.zarrFormat = info.format;
    this.codecs = info.codecs;
    this.path = path;
    this.writable = writable;
    this.#cacheLimit = cacheBytes;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of pixels. */
  get size(): number {
    return product(this.shape);
  }

  /** Bytes of the whole array as read (Tessera dtype), uncompressed. */
  get nbytes(): number {
    return this.size * bytesPerPixel(this.dtype);
  }

  /** Number of chunks in the grid (whether stored or not). */
  get chunkCount(): number {
    return product(this.shape.map((e, k) => Math.ceil(e / this.chunks[k])));
  }

  /**
   * Reads the box of `size` pixels from `start` (one entry per dimension; `size` defaults to the
   * rest of the array). Only the chunks that intersect the box are read.
   * @returns the pixels in C order (z, y, x) with the box's shape, as `pull` returns them.
   */
  async readRegion(start: readonly number[], size?: readonly number[]): Promise<HostImage> {
    const box = checkBox(this.shape, start, size, 'ZarrArray.readRegion');
    return this.read(box);
  }

  /**
   * The 2D plane at `index` along spatial `axis` of the last three dimensions (0 = z: a y×x
   * plane; 1 = y: z×x; 2 = x: z×y), of time point `t` (the first dimension) for 4D arrays.
   * A 2D array is its own plane (axis 0, index 0). This is the widgets' `ImageSource.getSlice`.
   */
  async getSlice(axis: number, index: number, t = 0): Promise<HostImage> {
    const what = 'ZarrArray.getSlice';
    const n = this.ndim;
    if (n < 2 || n > 4) throw new TesseraError(`${what}: the array must have 2 to 4 dimensions; shape is [${this.shape}]`);
    if (n === 2) {
      if (axis !== 0 || index !== 0) throw new TesseraError(`${what}: a 2D array is one plane (axis 0, index 0); got axis ${axis}, index ${index}`);
      return this.read({ start: [0, 0], size: [...this.shape] });
    }
    if (!Number.isInteger(axis) || axis < 0 || axis > 2) throw new TesseraError(`${what}: axis must be 0 (z), 1 (y) or 2 (x); got ${axis}`);
    const dim = n - 3 + axis;
    if (!Number.isInteger(index) || index < 0 || index >= this.shape[dim]) {
      throw new TesseraError(`${what}: index ${index} is outside 0..${this.shape[dim] - 1} along axis ${axis}`);
    }
    const start = new Array<number>(n).fill(0);
    const size = [...this.shape];
    [start[dim], size[dim]] = [index, 1];
    if (n === 4) {
      if (!Number.isInteger(t) || t < 0 || t >= this.shape[0]) throw new TesseraError(`${what}: t ${t} is outside 0..${this.shape[0] - 1}`);
      [start[0], size[0]] = [t, 1];
    }
    const plane = await this.read({ start, size });
    // Dropping the extents of 1 keeps the C order: the data already is the plane.
    plane.shape = size.filter((_, k) => k !== dim && !(n === 4 && k === 0));
    return plane;
  }

  /**
   * Reads a box (default: the whole array) and pushes it to the GPU. The box must fit the GPU
   * memory budget; larger data is processed in tiles (read and push one box at a time).
   * Arrays with more than 4 dimensions need a box whose leading extents are 1 (they are dropped).
   * `options` are push's (e.g. `allowNonFinite` for float data holding NaN).
   */
  async toGpu(start?: readonly number[], size?: readonly number[], options: PushOptions = {}): Promise<GpuImage> {
    const box = checkBox(this.shape, start ?? this.shape.map(() => 0), size, 'ZarrArray.toGpu');
    let shape = [...box.size];
    while (shape.length > 4 && shape[0] === 1) shape = shape.slice(1);
    if (shape.length > 4) {
      throw new TesseraError(`ZarrArray.toGpu: GPU images have at most 4 dimensions; choose a box of size 1 along the leading dimensions (size [${box.size}])`);
    }
    const bytes = product(shape) * bytesPerPixel(options.dtype ?? this.dtype);
    const { bytesInUse, budget } = memoryStats();
    const maxBinding = deviceInfo().limits.maxStorageBufferBindingSize;
    if (bytes + bytesInUse > budget || bytes > maxBinding) {
      const limit = bytes > maxBinding ? `one GPU buffer holds at most ${bytesText(maxBinding)}` : `${bytesText(budget - bytesInUse)} of the ${bytesText(budget)} GPU memory budget are free`;
      throw new TesseraError(
        `ZarrArray.toGpu: the box of shape [${box.size}] needs ${bytesText(bytes)} on the GPU but ${limit}. ` +
          `Process the array in tiles: toGpu(start, size) with boxes that fit (e.g. a few chunks of [${this.chunks}] at a time).`,
      );
    }
    const { data } = await this.read(box);
    return push(data, shape, options);
  }

  /**
   * Writes pixels into the box starting at `start`. `data` is a typed array of the array's dtype
   * (with `shape`, which may be left out when it covers the whole array), host pixels
   * `{ data, shape }` (what `pull` returns) or a GPU image (pulled first). Chunks the box covers
   * only partly are read, updated and rewritten. Concurrent writes through this object that
   * touch the same chunk update it one after another, so writes of neighbouring tiles sharing a
   * chunk are all kept (for overlapping boxes, which write lands last is not defined: await one
   * first). Each chunk file is replaced atomically: readers see the old or the new chunk.
   */
  async write(start: readonly number[], data: TypedArray | { data: TypedArray; shape: readonly number[] } | GpuImage, shape?: readonly number[]): Promise<void> {
    const what = 'ZarrArray.write';
    if (!this.writable) throw new TesseraError(`${what}: ${this.path} was opened read-only; open it with { mode: 'r+' } to write`);
    if (this.storedDtype !== this.dtype) {
      throw new TesseraError(`${what}: the array stores ${this.storedDtype}, which Tessera reads as ${this.dtype} but cannot write`);
    }
    if (this.info.shards) throw new TesseraError(`${what}: writing sharded arrays is not supported (${this.path})`);
    let pixels: TypedArray;
    let dims: readonly number[] | undefined = shape;
    if (data instanceof GpuImage) {
      const pulled = await pull(data);
      [pixels, dims] = [pulled.data, dims ?? pulled.shape];
    } else if (ArrayBuffer.isView(data)) {
      pixels = data;
      const wholeArray = pixels.length === this.size && Array.isArray(start) && start.every((s) => s === 0);
      dims ??= wholeArray ? this.shape : undefined;
      if (!dims) throw new TesseraError(`${what}: pass the shape of the data (it covers only part of the array of shape [${this.shape}])`);
    } else if (typeof data === 'object' && data !== null && ArrayBuffer.isView(data.data)) {
      [pixels, dims] = [data.data, dims ?? data.shape];
    } else {
      throw new TesseraError(`${what}: data must be a typed array, { data, shape } host pixels or a GpuImage`);
    }
    if (!Array.isArray(dims)) throw new TesseraError(`${what}: shape must be a list of extents; got ${JSON.stringify(dims)}`);
    const kind = checkTypedArray(pixels, `${what}: data`);
    if (kind !== this.dtype || pixels instanceof Float64Array) {
      throw new TesseraError(`${what}: data is ${pixels.constructor.name} but the array holds ${this.dtype}; convert it first (no implicit conversion on write)`);
    }
    if (pixels instanceof Uint8ClampedArray) pixels = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length);
    // Leading extents of 1 may be left out of the data's shape (a 2D plane into a 3D array).
    const full = dims.length < this.ndim ? [...new Array<number>(this.ndim - dims.length).fill(1), ...dims] : [...dims];
    const box = checkBox(this.shape, start, full, what);
    if (product(box.size) !== pixels.length) {
      throw new TesseraError(`${what}: shape [${dims}] holds ${product(box.size)} pixels but data has ${pixels.length}`);
    }
    const stride = stridesOf(box.size);
    await forEachLimited(chunksOf(box, this.chunks), CONCURRENCY, async (coords) => {
      const { lo, hi } = intersect(box, coords, this.chunks);
      const offset = lo.reduce((acc, l, k) => acc + (l - box.start[k]) * stride[k], 0);
      const part = { data: pixels.subarray(offset), shape: hi.map((h, k) => h - lo[k]), stride };
      const selection = lo.map((l, k) => this.z.slice(l, hi[k]));
      await this.oneWriterPerChunk(this.info.chunkKey(coords), async () => {
        try {
          await this.z.set(this.array, selection, part as Zarrita.Chunk<Zarrita.DataType>);
        } catch (e) {
          throw new TesseraError(`${what}: writing chunk ${this.info.chunkKey(coords)} of ${this.path} failed: ${reason(e)}`);
        } finally {
          this.#writes++;
          this.forget(coords.join(','));
        }
      });
    });
  }

  /** Text summary (shape, dtype, chunks, sizes, codecs), like a cle image or dask array repr. */
  toString(): string {
    const grid = this.shape.map((e, k) => Math.ceil(e / this.chunks[k]));
    const dtype = this.storedDtype === this.dtype ? this.dtype : `${this.dtype} (stored as ${this.storedDtype})`;
    const rows: Array<[string, string]> = [
      ['shape', `(${this.shape.join(', ')})`],
      ['dtype', dtype],
      ['chunks', `(${this.chunks.join(', ')})  ${this.chunkCount} chunks (${grid.join(' × ')})`],
      ...(this.info.shards ? [['shards', `(${this.info.shards.join(', ')})`] as [string, string]] : []),
      ['size', `${bytesText(this.nbytes)}, chunk ${bytesText(product(this.chunks) * bytesPerPixel(this.dtype))} (uncompressed)`],
      ['codecs', this.codecs.length ? this.codecs.map((c) => c.replace(/^numcodecs\./, '')).join(', ') : 'none'],
    ];
    const mode = this.writable ? 'read-write' : 'read-only';
    return [`tessera.ZarrArray ${this.path} (Zarr v${this.zarrFormat}, ${mode})`, ...rows.map(([k, v]) => `${k.padEnd(7)}${v}`)].join('\n');
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** Reads a checked box. */
  private async read(box: Box): Promise<HostImage> {
    const out = allocTypedArray(this.dtype, product(box.size));
    const outStride = stridesOf(box.size);
    await forEachLimited(chunksOf(box, this.chunks), CONCURRENCY, async (coords) => {
      const { data, stride } = await this.cachedChunk(coords);
      const { lo, hi } = intersect(box, coords, this.chunks);
      copyBox(data, stride, coords.map((c, k) => c * this.chunks[k]), out, outStride, box.start, lo, hi);
    });
    return { data: out, shape: [...box.size], dtype: this.dtype };
  }

  /** A chunk from the cache, or decoded and cached. */
  private async cachedChunk(coords: number[]): Promise<Decoded> {
    const key = coords.join(',');
    const hit = this.#cache.get(key);
    if (hit) {
      this.#cache.delete(key); // re-inserted as the most recently used
      this.#cache.set(key, hit);
      return hit;
    }
    const writes = this.#writes;
    const chunk = await this.readChunk(coords);
    const bytes = chunk.data.byteLength;
    if (writes === this.#writes && bytes <= this.#cacheLimit) {
      this.forget(key);
      this.#cache.set(key, chunk);
      this.#cachedBytes += bytes;
      for (const [old, { data }] of this.#cache) {
        if (this.#cachedBytes <= this.#cacheLimit) break;
        this.#cache.delete(old);
        this.#cachedBytes -= data.byteLength;
      }
    }
    return chunk;
  }

  private forget(key: string): void {
    const entry = this.#cache.get(key);
    if (!entry) return;
    this.#cache.delete(key);
    this.#cachedBytes -= entry.data.byteLength;
  }

  /** Decodes one chunk (chunk grid coordinates); bool chunks come back as 0/1 bytes. */
  private async readChunk(coords: number[]): Promise<Decoded> {
    // The file holding the chunk: its own, or its shard's.
    const shards = this.info.shards;
    const key = this.info.chunkKey(shards ? coords.map((c, k) => Math.floor((c * this.chunks[k]) / shards[k])) : coords);
    const where = () => `chunk ${coords.join(',')} of ${this.path} (file ${join(this.path, key)})`;
    let chunk: Zarrita.Chunk<Zarrita.DataType>;
    try {
      chunk = await this.array.getChunk(coords);
    } catch (e) {
      // The store's own errors (e.g. a shard index pointing past the end of its file) already say what is wrong.
      const trailer = e instanceof TesseraError ? '' : '. The file is truncated or corrupt';
      throw new TesseraError(`reading ${where()} failed: ${reason(e)}${trailer}`);
    }
    const expected = product(this.chunks);
    const raw = chunk.data as unknown as { length: number; buffer: ArrayBuffer; byteOffset: number };
    if (raw.length !== expected) {
      throw new TesseraError(`reading ${where()} failed: it decoded to ${raw.length} values instead of ${expected}; the file is truncated or corrupt`);
    }
    const data = this.storedDtype === 'bool' ? new Uint8Array(raw.buffer, raw.byteOffset, raw.length) : (chunk.data as TypedArray);
    return { data, stride: chunk.stride };
  }

  /** Runs `task` after earlier writes of chunk `key` through this object have finished. */
  private async oneWriterPerChunk(key: string, task: () => Promise<void>): Promise<void> {
    const previous = this.#writing.get(key) ?? Promise.resolve();
    const mine = previous.then(task);
    const settled = mine.catch(() => undefined);
    this.#writing.set(key, settled);
    try {
      await mine;
    } finally {
      if (this.#writing.get(key) === settled) this.#writing.delete(key);
    }
  }
}

/**
 * Opens a Zarr array (format 2 or 3) in a local directory, lazily: metadata is read now, pixels
 * when asked for. `options.arrayPath` names an array inside a group.
 *
 * Reads chunks compressed with blosc, zstd, gzip, zlib or lz4, uncompressed, sharded (v3), with
 * the transpose/F-order, shuffle, delta, crc32c, bitround and fixedscaleoffset codecs (zarrita's
 * codecs). Errors (a missing path, a group, corrupt metadata, an unsupported codec or dtype) are
 * TesseraErrors naming the file at fault; a group's error lists the arrays it holds.
 */
export async function openZarr(path: string, options: OpenZarrOptions = {}): Promise<ZarrArray> {
  const what = 'openZarr';
  if (typeof path !== 'string' || path === '') throw new TesseraError(`${what}: path must be a non-empty string; got ${JSON.stringify(path)}`);
  const mode = options.mode ?? 'r';
  if (mode !== 'r' && mode !== 'r+') throw new TesseraError(`${what}: options.mode must be 'r' or 'r+'; got ${JSON.stringify(mode)}`);
  const cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
  if (typeof cacheBytes !== 'number' || !(cacheBytes >= 0)) throw new TesseraError(`${what}: options.cacheBytes must be a number >= 0; got ${cacheBytes}`);
  const dir = resolve(path, options.arrayPath ?? '');
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TesseraError(code === 'ENOENT' || code === 'ENOTDIR' ? `${what}: no such file or directory: ${dir}` : `${what}: cannot access ${dir}: ${(e as Error).message}`);
  }
  if (!isDir) throw new TesseraError(`${what}: ${dir} is a file; a Zarr array is a directory (holding zarr.json or .zarray)`);

  // Metadata problems are reported with the file at fault, prefixed with the call.
  const prefixed = (e: unknown): never => {
    throw e instanceof TesseraError ? new TesseraError(`${what}: ${e.message}`) : e;
  };
  const node = await readNode(dir).catch(prefixed);
  if (node.kind !== 'array') {
    const arrays = await listArrays(dir);
    const names = arrays.map((a) => `'${a}'`).join(', ');
    const hint = arrays.length ? ` (open one with { arrayPath: '${arrays[0]}' })` : '';
    throw new TesseraError(
      node.kind === 'group'
        ? `${what}: ${dir} is a Zarr v${node.format} group, not an array; ${arrays.length ? `it holds the arrays ${names}${hint}` : 'it holds no arrays'}`
        : `${what}: ${dir} is not a Zarr array (no zarr.json or .zarray)${arrays.length ? `; below it are the arrays ${names}${hint}` : ''}`,
    );
  }
  let info: ArrayInfo;
  try {
    info = node.format === 3 ? parseV3(node.meta, node.file) : parseV2(node.meta, node.file);
  } catch (e) {
    return prefixed(e);
  }
  if (info.shape.length === 0) throw new TesseraError(`${what}: ${dir} is a 0-dimensional (scalar) array; Tessera reads arrays of 1 or more dimensions`);

  const z = await zarrita();
  const unknown = info.codecs.filter((name) => name !== 'sharding_indexed' && !z.registry.has(name));
  if (unknown.length) {
    // The registry also holds string codecs (vlen-utf8, json2), irrelevant to images.
    const readable = [...z.registry.keys()].filter((k) => !k.startsWith('numcodecs.') && k !== 'vlen-utf8' && k !== 'json2').join(', ');
    throw new TesseraError(
      `${what}: ${dir} uses the codec ${unknown.map((n) => `"${n.replace(/^numcodecs\./, '')}"`).join(', ')}, which Tessera cannot decode ` +
        `(it reads ${readable}, sharding_indexed). Re-save the array with one of those (e.g. zarr-python: compressors=zarr.codecs.ZstdCodec()).`,
    );
  }
  const store = new FsStore(dir);
  let array: Zarrita.Array<Zarrita.DataType, FsStore>;
  try {
    const location = new z.Location(store);
    array = info.format === 3 ? await z.open.v3(location, { kind: 'array' }) : await z.open.v2(location, { kind: 'array', attrs: false });
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    throw new TesseraError(`${what}: ${info.metadataFile}: ${reason(e)}; the Zarr metadata is invalid or unsupported`);
  }
  return new ZarrArray(z, array, info, dir, mode === 'r+', cacheBytes);
}

/**
 * Creates an empty Zarr v3 array in a local directory and opens it for writing (e.g. for tiled
 * results: `await out.write(tileStart, await tessera.pull(tile))`). Unwritten chunks read as
 * `options.fillValue`. The result can be read by zarr-python, dask, napari and the like.
 *
 * @param shape extents, outermost first (z, y, x)
 * @param dtype a Tessera dtype
 */
export async function createZarr(path: string, shape: readonly number[], dtype: DType, options: CreateZarrOptions = {}): Promise<ZarrArray> {
  const what = 'createZarr';
  if (typeof path !== 'string' || path === '') throw new TesseraError(`${what}: path must be a non-empty string; got ${JSON.stringify(path)}`);
  if (!Array.isArray(shape) || shape.length < 1 || !shape.every((e) => Number.isInteger(e) && e >= 1)) {
    throw new TesseraError(`${what}: shape must be a list of positive integers (z, y, x order); got ${JSON.stringify(shape)}`);
  }
  checkDType(dtype, `${what}: dtype`);
  const chunks = options.chunks ?? shape.map((e) => Math.min(e, 128));
  if (!Array.isArray(chunks) || chunks.length !== shape.length || !chunks.every((e) => Number.isInteger(e) && e >= 1)) {
    throw new TesseraError(`${what}: options.chunks must be ${shape.length} positive integers; got ${JSON.stringify(options.chunks)}`);
  }
  const codec = options.codec ?? 'zstd';
  if (codec !== 'zstd' && codec !== 'none') throw new TesseraError(`${what}: options.codec must be 'zstd' or 'none'; got ${JSON.stringify(codec)}`);
  const fillValue = options.fillValue ?? 0;
  if (typeof fillValue !== 'number' || !Number.isFinite(fillValue)) throw new TesseraError(`${what}: options.fillValue must be a finite number; got ${fillValue}`);

  const dir = resolve(path);
  const existing = await readdir(dir).catch(() => undefined);
  if (existing && existing.length > 0) {
    const node = await readNode(dir).catch(() => ({ kind: 'corrupt' }));
    if (!options.overwrite) throw new TesseraError(`${what}: ${dir} already exists and is not empty; pass { overwrite: true } to replace a Zarr array there, or choose a new path`);
    if (node.kind !== 'array' && node.kind !== 'group') throw new TesseraError(`${what}: ${dir} is not a Zarr array or group; refusing to overwrite it`);
    await rm(dir, { recursive: true });
  }
  const metadata = {
    zarr_format: 3,
    node_type: 'array',
    shape: [...shape],
    data_type: dtype,
    chunk_grid: { name: 'regular', configuration: { chunk_shape: [...chunks] } },
    chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
    fill_value: fillValue,
    codecs: [
      { name: 'bytes', configuration: { endian: 'little' } },
      ...(codec === 'zstd' ? [{ name: 'zstd', configuration: { level: 3, checksum: false } }] : []),
    ],
    attributes: {},
  };
  await mkdir(dir, { recursive: true });
  await new FsStore(dir).set('/zarr.json', new TextEncoder().encode(JSON.stringify(metadata, null, 2)));
  return openZarr(dir, { mode: 'r+' });
}
