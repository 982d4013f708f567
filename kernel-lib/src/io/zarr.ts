/**
 * Zarr arrays (format 2 and 3) as lazy arrays: open a local directory or an HTTP(S) URL, create
 * local arrays, read boxes chunk by chunk (decoded in worker threads), write tiles back with the
 * guarantees a tiled or distributed job needs (see {@link ZarrArray.write} and docs/io.md).
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DType, TypedArray, allocTypedArray, bytesPerPixel } from '../dtype';
import { GpuImage } from '../array/gpu-image';
import { pull } from '../array/transfer';
import { TesseraError } from '../errors';
import { ChunkCodec, type CodecSpec, type DecodedChunk } from './chunk-codec';
import { codecPoolFor } from './codec-pool';
import { LazyArray } from './lazy-array';
import { Box, boxText, checkBox, overlap, product, stridesOf } from '../plan/box';
import { copyBox, forEachLimited } from './region';
import { FsStore, isUrl, storeFor, type Store } from './store';
import { WriteLog } from './write-log';
import { ArrayInfo, listArrays, parseV2, parseV3, readNode } from './zarr-metadata';
import { zarrita, type Zarrita } from './zarrita';
import { checkDType, checkTypedArray } from '../validate/arguments';

/** Chunks read or written at once by one call (the codec threads are kept busy). */
const CONCURRENCY = 32;
const DEFAULT_CACHE_BYTES = 64 * 1024 ** 2;

/** Options of {@link openZarr}. */
export interface OpenZarrOptions {
  /** The array inside a group, relative to `path` (e.g. `'labels/cells'` or `'0'` for OME-Zarr level 0). */
  arrayPath?: string;
  /** `'r'` (default): read only. `'r+'`: {@link ZarrArray.write} is allowed too (local paths only). */
  mode?: 'r' | 'r+';
  /**
   * Bytes of decoded chunks kept for reuse (default 64 MB; 0 disables), so that neighbouring
   * planes (a slider through z) do not decode the same chunks again. Changes made to the files
   * by other programs are seen after opening the array again.
   */
  cacheBytes?: number;
  /** HTTP only: how long one request may take before it fails (default 30 000 ms). */
  timeoutMs?: number;
  /** Axis letters to attach (e.g. `'tczyx'`; openOmeZarr passes the image's axes); default: from v3 dimension names. */
  axes?: string;
}

/**
 * Chunk compression of {@link createZarr}: `'blosc'` (blosc with zstd and byte shuffle, the
 * default; level 1), `'zstd'` (level 3) or `'none'`. All are read by zarr-python, dask, napari
 * and the like. (gzip is read but not written: zarrita's gzip codec only decodes.)
 */
export type ZarrCodecName = 'blosc' | 'zstd' | 'none';

const CODEC_NAMES: readonly ZarrCodecName[] = ['blosc', 'zstd', 'none'];
const DEFAULT_LEVEL: Record<ZarrCodecName, number> = { blosc: 1, zstd: 3, none: 0 };

/** Options of {@link createZarr}. */
export interface CreateZarrOptions {
  /** Chunk shape (default: each extent up to 128; the last chunk along a dimension may be partial). */
  chunks?: readonly number[];
  /** Chunk compression (default `'blosc'`). */
  codec?: ZarrCodecName;
  /** Compression level (blosc 0–9, zstd 1–22; defaults 1 and 3). */
  level?: number;
  /** Zarr format: 3 (default) or 2. */
  format?: 2 | 3;
  /** Value of chunks never written (default 0). */
  fillValue?: number;
  /** Names of the dimensions (v3 `dimension_names`, e.g. `['z', 'y', 'x']`). */
  dimensionNames?: readonly string[];
  /** User attributes (v3 `attributes`, v2 `.zattrs`). */
  attributes?: Record<string, unknown>;
  /** Replace an existing Zarr array or group at `path` (default: an existing path is an error). */
  overwrite?: boolean;
}

/** Options of {@link ZarrArray.write}. */
export interface WriteOptions {
  /**
   * What to do with chunks the box covers only partly. `'merge'` (default): read the chunk,
   * update it, write it back — correct within this process (writes through one ZarrArray that
   * share a chunk run one after another) but NOT when several processes write parts of one
   * chunk. `'refuse'`: throw before writing anything unless every touched chunk is covered
   * whole (the box is aligned to the chunk grid): what tiled and distributed jobs use.
   */
  partialChunks?: 'merge' | 'refuse';
}

/** A message for an error from zarrita or the store, with its cause. */
function reason(e: unknown): string {
  const err = e as Error & { cause?: unknown };
  const cause = err?.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err?.message ?? String(e)}${cause}`;
}

/**
 * A Zarr array, read lazily: only the chunks a call touches are read and decoded (in worker
 * threads, see `setIoThreads`). A {@link LazyArray}: slice it, read regions, push them to the GPU.
 *
 * Pixel types: Zarr uint8/16/32, int8/16/32 and float32 are read as they are; float64 is read
 * as float32 (rounded to nearest; magnitudes above 3.4e38 become ±Infinity); bool is read as
 * uint8 0/1. Chunks missing in the store read as the fill value, as Zarr defines.
 *
 * @example
 * const z = await tessera.openZarr('data/embryo.zarr');
 * console.log(String(z));                         // shape, dtype, chunks, size
 * const plane = await z.getSlice(0, 10);          // z = 10, as a { data, shape } host array
 * const img = await z.toGpu([0, 0, 0], [16, 512, 512]);
 */
export class ZarrArray extends LazyArray {
  /** The dtype as Zarr stores it (e.g. `float64` for an array read as float32). */
  readonly storedDtype: string;
  /** Zarr format version, 2 or 3. */
  readonly zarrFormat: 2 | 3;
  /** Codecs in encoding order, as zarrita names them (v2 codecs as `numcodecs.<id>`). */
  readonly codecs: readonly string[];
  /** Whether {@link write} is allowed (created arrays, or opened with `mode: 'r+'`). */
  readonly writable: boolean;
  /** The array's directory or URL. */
  readonly path: string;
  /** The array's user attributes (v3 `attributes`, v2 `.zattrs`). */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** v3 `dimension_names`, when the array has them. */
  readonly dimensionNames: readonly (string | null)[] | undefined;

  /** Chunk writes in flight, by chunk key: writes touching one chunk run one after another. */
  readonly #writing = new Map<string, Promise<void>>();
  /** Decoded chunks by grid coordinates, least recently used first. */
  readonly #cache = new Map<string, DecodedChunk>();
  #cachedBytes = 0;
  readonly #cacheLimit: number;
  /** Counts finished chunk writes: a read that overlapped one does not cache what it decoded. */
  #writes = 0;
  readonly #reads = { chunks: 0, bytes: 0, cacheHits: 0 };

  /**
   * What reads of this array have cost so far: chunks fetched and decoded, their stored
   * (compressed) bytes, and chunks served from the decoded-chunk cache. Viewers report the
   * difference per view change.
   */
  get readStats(): Readonly<{ chunks: number; bytes: number; cacheHits: number }> {
    return { ...this.#reads };
  }

  /** @internal Use {@link openZarr} or {@link createZarr}. */
  constructor(
    private readonly store: Store,
    private readonly info: ArrayInfo,
    private readonly spec: CodecSpec,
    /** Codes chunks on the main thread (small chunks, or no worker threads); undefined for sharded arrays. */
    private readonly codec: ChunkCodec | undefined,
    /** zarrita's array over the store, for sharded arrays (whose chunks zarrita locates inside shards). */
    private readonly sharded: Zarrita.Array<Zarrita.DataType, Store> | undefined,
    writable: boolean,
    cacheBytes: number,
    attributes: Record<string, unknown>,
    dimensionNames: (string | null)[] | undefined,
    axes: string | undefined,
  ) {
    super({ shape: info.shape, dtype: info.dtype, chunks: info.chunks, axes: axes ?? axesOf(dimensionNames, info.shape.length) });
    this.storedDtype = info.storedDtype;
    this.zarrFormat = info.format;
    this.codecs = info.codecs;
    this.path = store.root;
    this.writable = writable;
    this.#cacheLimit = cacheBytes;
    this.attributes = attributes;
    this.dimensionNames = dimensionNames;
  }

  /** Number of chunks in the grid (whether stored or not). */
  get chunkCount(): number {
    return this.grid.count;
  }

  /** The store key (file relative to the array, e.g. `c/0/1/2` or `0.1.2`) of chunk `coords`; for sharded arrays, of its shard. */
  chunkKey(coords: readonly number[]): string {
    const shards = this.info.shards;
    return this.info.chunkKey(shards ? coords.map((c, k) => Math.floor((c * this.chunks[k]) / shards[k])) : [...coords]);
  }

  /**
   * Writes pixels into the box starting at `start`. `data` is a typed array of the array's dtype
   * (with `shape`, which may be left out when it covers the whole array), host pixels
   * `{ data, shape }` (what `pull` returns) or a GPU image (pulled first). Leading extents of 1
   * may be left out of the shape (a plane into a 3D array).
   *
   * Guarantees (docs/io.md, "Writes"):
   * - Each chunk file is replaced atomically (written to `<array>/.tessera/tmp/`, then renamed):
   *   a reader or a killed writer never leaves half a chunk.
   * - Chunks covered whole are written without reading them; chunks covered partly are merged
   *   (read, updated, rewritten) or refused, as `options.partialChunks` says.
   * - When the promise resolves, every chunk of the box is in place (record it then with
   *   {@link writeLog}); when it rejects, the chunks already written stay written.
   *
   * `write(start, data, options)` may leave out the shape.
   */
  async write(
    start: readonly number[],
    data: TypedArray | { data: TypedArray; shape: readonly number[] } | GpuImage,
    shape?: readonly number[] | WriteOptions,
    options: WriteOptions = {},
  ): Promise<void> {
    const what = 'ZarrArray.write';
    if (shape !== undefined && !Array.isArray(shape)) [shape, options] = [undefined, shape as WriteOptions];
    if (!this.writable) {
      throw new TesseraError(`${what}: ${this.path} is read-only${isUrl(this.path) ? ' (arrays over HTTP cannot be written)' : "; open it with { mode: 'r+' } to write"}`);
    }
    if (this.storedDtype !== this.dtype) {
      throw new TesseraError(`${what}: the array stores ${this.storedDtype}, which Tessera reads as ${this.dtype} but cannot write`);
    }
    if (this.info.shards) throw new TesseraError(`${what}: writing sharded arrays is not supported (${this.path})`);
    const partialChunks = options.partialChunks ?? 'merge';
    if (partialChunks !== 'merge' && partialChunks !== 'refuse') {
      throw new TesseraError(`${what}: options.partialChunks must be 'merge' or 'refuse'; got ${JSON.stringify(partialChunks)}`);
    }
    let pixels: TypedArray;
    let dims = shape as readonly number[] | undefined;
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
    const full = dims.length < this.ndim ? [...new Array<number>(this.ndim - dims.length).fill(1), ...dims] : [...dims];
    const box = checkBox(this.shape, start, full, what);
    if (product(box.size) !== pixels.length) {
      throw new TesseraError(`${what}: shape [${dims}] holds ${product(box.size)} pixels but data has ${pixels.length}`);
    }
    const grid = this.grid;
    const chunks = grid.chunksIn(box);
    if (partialChunks === 'refuse' && !grid.isAligned(box)) {
      const partial = chunks.find((c) => {
        const { lo, hi } = overlap(box, grid.chunkBox(c));
        const cb = grid.chunkBox(c);
        return lo.some((l, k) => l !== cb.start[k] || hi[k] !== cb.start[k] + cb.size[k]);
      })!;
      throw new TesseraError(
        `${what}: the box ${boxText(box)} covers chunk ${this.chunkKey(partial)} (${boxText(grid.chunkBox(partial))}) only partly, ` +
          `and { partialChunks: 'refuse' } allows whole chunks only (two tasks writing parts of one chunk would lose data). ` +
          `Align the box to the chunks of [${this.chunks}]: the aligned box around it is ${boxText(grid.align(box))}.`,
      );
    }
    const stride = stridesOf(box.size);
    const src = pixels;
    await forEachLimited(chunks, CONCURRENCY, async (coords) => {
      const key = this.chunkKey(coords);
      await this.oneWriterPerChunk(key, async () => {
        try {
          const region = grid.chunkBox(coords);
          const { lo, hi } = overlap(box, region);
          const whole = lo.every((l, k) => l === region.start[k] && hi[k] === region.start[k] + region.size[k]);
          const pool = codecPoolFor(product(region.size) * bytesPerPixel(this.dtype));
          let bytes: Uint8Array;
          if (whole && pool && src.buffer instanceof SharedArrayBuffer) {
            // Pixels in shared memory (a tile): the worker cuts the chunk out itself.
            bytes = await pool.encodeBox(this.spec, coords, this.dtype, region.size, { src, srcStride: stride, srcOrigin: box.start, lo, hi });
          } else {
            const chunk = allocTypedArray(this.dtype, product(region.size));
            const chunkStride = stridesOf(region.size);
            if (!whole) {
              const old = await this.decodeChunk(coords);
              const origin = coords.map((c, k) => c * this.chunks[k]);
              copyBox(old.data, old.stride, origin, chunk, chunkStride, region.start, region.start, region.start.map((s, k) => s + region.size[k]));
            }
            copyBox(src, stride, box.start, chunk, chunkStride, region.start, lo, hi);
            const pixelsOfChunk = { data: chunk, shape: region.size };
            bytes = pool ? await pool.encode(this.spec, coords, pixelsOfChunk) : await this.codec!.encode(coords, pixelsOfChunk);
          }
          await this.store.set(`/${key}`, bytes);
        } catch (e) {
          if (e instanceof TesseraError) throw e;
          throw new TesseraError(`${what}: writing chunk ${key} of ${this.path} failed: ${reason(e)}`);
        } finally {
          this.#writes++;
          this.forget(coords.join(','));
        }
      });
    });
  }

  /**
   * The record of completed regions of this array, for resuming an interrupted tiled job: after
   * each tile's `write` resolves, `record` its box; a re-run skips the boxes `has` reports done.
   * Records live in `<array>/.tessera/done/<writer>.jsonl`, one file per writer (process), so
   * concurrent tasks never write one file. See {@link WriteLog}.
   *
   * @param options.writer this process's name among the writers (default `<host>-<pid>`; a Slurm
   *   task would pass e.g. `slurm-<job>-<task>`): letters, digits, `.`, `_`, `-`.
   */
  async writeLog(options: { writer?: string } = {}): Promise<WriteLog> {
    if (!this.writable || !(this.store instanceof FsStore)) {
      throw new TesseraError(`ZarrArray.writeLog: ${this.path} is read-only; the record of written regions belongs to an array being written (createZarr, or openZarr with { mode: 'r+' })`);
    }
    return WriteLog.open(this.store.root, this.shape, options.writer);
  }

  protected title(): string {
    return `tessera.ZarrArray ${this.path} (Zarr v${this.zarrFormat}, ${this.writable ? 'read-write' : 'read-only'})`;
  }

  protected dtypeText(): string {
    return this.storedDtype === this.dtype ? this.dtype : `${this.dtype} (stored as ${this.storedDtype})`;
  }

  protected summaryRows(): Array<[string, string]> {
    return [
      ...(this.info.shards ? [['shards', `(${this.info.shards.join(', ')})`] as [string, string]] : []),
      ['codecs', this.codecs.length ? this.codecs.map((c) => c.replace(/^numcodecs\./, '')).join(', ') : 'none'],
    ];
  }

  protected async readBox(box: Box, into: TypedArray): Promise<void> {
    const grid = this.grid;
    const outStride = stridesOf(box.size);
    await forEachLimited(grid.chunksIn(box), CONCURRENCY, async (coords) => {
      const { data, stride } = await this.cachedChunk(coords);
      const { lo, hi } = overlap(box, grid.chunkBox(coords));
      copyBox(data, stride, coords.map((c, k) => c * this.chunks[k]), into, outStride, box.start, lo, hi);
    });
  }

  /** @internal The decoded chunk itself, without a copy (see {@link LazyArray.readChunk}). */
  async readChunk(coords: readonly number[]): Promise<{ data: TypedArray; stride: number[]; origin: number[] }> {
    const { data, stride } = await this.cachedChunk([...coords]);
    return { data: data as TypedArray, stride: [...stride], origin: coords.map((c, k) => c * this.chunks[k]) };
  }

  /** A chunk from the cache, or decoded and cached. */
  private async cachedChunk(coords: number[]): Promise<DecodedChunk> {
    const key = coords.join(',');
    const hit = this.#cache.get(key);
    if (hit) {
      this.#reads.cacheHits++;
      this.#cache.delete(key); // re-inserted as the most recently used
      this.#cache.set(key, hit);
      return hit;
    }
    const writes = this.#writes;
    const chunk = await this.decodeChunk(coords);
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

  /** Reads and decodes one chunk (grid coordinates); errors name the chunk and its file or URL. */
  private async decodeChunk(coords: number[]): Promise<DecodedChunk> {
    const key = this.chunkKey(coords);
    const where = () => `chunk ${coords.join(',')} of ${this.path} (${this.store.where(key)})`;
    let chunk: DecodedChunk;
    try {
      if (this.sharded) {
        const c = await this.sharded.getChunk(coords);
        const d = c.data as unknown as { buffer: ArrayBuffer; byteOffset: number; length: number };
        chunk = { data: ArrayBuffer.isView(c.data) ? (c.data as unknown as TypedArray) : new Uint8Array(d.buffer, d.byteOffset, d.length), stride: c.stride };
      } else {
        const bytes = await this.store.get(`/${key}`);
        this.#reads.chunks++;
        this.#reads.bytes += bytes?.byteLength ?? 0;
        const pool = codecPoolFor(product(this.chunks) * bytesPerPixel(this.dtype));
        chunk = pool ? await pool.decode(this.spec, coords, bytes) : await this.codec!.decode(coords, bytes);
      }
    } catch (e) {
      // The store's own errors (an unreadable file, an HTTP failure) already say what is wrong.
      const trailer = e instanceof TesseraError ? '' : '. The file is truncated or corrupt';
      throw new TesseraError(`reading ${where()} failed: ${reason(e)}${trailer}`);
    }
    const expected = product(this.chunks);
    if (chunk.data.length !== expected) {
      throw new TesseraError(`reading ${where()} failed: it decoded to ${chunk.data.length} values instead of ${expected}; the file is truncated or corrupt`);
    }
    return chunk;
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

/** Axis letters from v3 dimension names, when each is one letter. */
function axesOf(names: (string | null)[] | undefined, n: number): string | undefined {
  if (!names || names.length !== n || !names.every((x) => typeof x === 'string' && /^[a-z]$/i.test(x))) return undefined;
  return (names as string[]).join('').toLowerCase();
}

/**
 * Opens a Zarr array (format 2 or 3) in a local directory or at an HTTP(S) URL (read only),
 * lazily: metadata is read now, pixels when asked for. `options.arrayPath` names an array
 * inside a group.
 *
 * Reads chunks compressed with blosc, zstd, gzip, zlib or lz4, uncompressed, sharded (v3), with
 * the transpose/F-order, shuffle, delta, crc32c, bitround and fixedscaleoffset codecs (zarrita's
 * codecs). Errors (a missing path, a group, corrupt metadata, an unsupported codec or dtype, an
 * unreachable URL) are TesseraErrors naming the file or URL at fault; a local group's error
 * lists the arrays it holds.
 */
export async function openZarr(path: string, options: OpenZarrOptions = {}): Promise<ZarrArray> {
  const what = 'openZarr';
  if (typeof path !== 'string' || path === '') throw new TesseraError(`${what}: path must be a non-empty string; got ${JSON.stringify(path)}`);
  const mode = options.mode ?? 'r';
  if (mode !== 'r' && mode !== 'r+') throw new TesseraError(`${what}: options.mode must be 'r' or 'r+'; got ${JSON.stringify(mode)}`);
  const cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
  if (typeof cacheBytes !== 'number' || !(cacheBytes >= 0)) throw new TesseraError(`${what}: options.cacheBytes must be a number >= 0; got ${cacheBytes}`);
  const remote = isUrl(path);
  if (remote && mode === 'r+') throw new TesseraError(`${what}: ${path} is a URL; Zarr over HTTP is read-only (mode 'r')`);
  let store = storeFor(path, { timeoutMs: options.timeoutMs });
  if (options.arrayPath) store = store.child(options.arrayPath);
  const dir = store.root;
  if (!remote) {
    let isDir: boolean;
    try {
      isDir = (await stat(dir)).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new TesseraError(code === 'ENOENT' || code === 'ENOTDIR' ? `${what}: no such file or directory: ${dir}` : `${what}: cannot access ${dir}: ${(e as Error).message}`);
    }
    if (!isDir) throw new TesseraError(`${what}: ${dir} is a file; a Zarr array is a directory (holding zarr.json or .zarray)`);
  }

  // Metadata problems are reported with the file at fault, prefixed with the call.
  const prefixed = (e: unknown): never => {
    throw e instanceof TesseraError ? new TesseraError(`${what}: ${e.message}`) : e;
  };
  const node = await readNode(store).catch(prefixed);
  if (node.kind !== 'array') {
    const arrays = remote ? [] : await listArrays(dir);
    const names = arrays.map((a) => `'${a}'`).join(', ');
    const hint = arrays.length ? ` (open one with { arrayPath: '${arrays[0]}' })` : '';
    const none = remote ? 'name one with { arrayPath }' : 'it holds no arrays';
    throw new TesseraError(
      node.kind === 'group'
        ? `${what}: ${dir} is a Zarr v${node.format} group, not an array; ${arrays.length ? `it holds the arrays ${names}${hint}` : none}`
        : `${what}: ${dir} is not a Zarr array (no zarr.json or .zarray${remote ? ' at that URL' : ''})${arrays.length ? `; below it are the arrays ${names}${hint}` : ''}`,
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
  const spec: CodecSpec = { format: info.format, metadata: JSON.stringify(node.meta) };
  let codec: ChunkCodec | undefined;
  let sharded: Zarrita.Array<Zarrita.DataType, Store> | undefined;
  try {
    if (!info.shards) codec = await ChunkCodec.create(spec);
    else sharded = (await z.open.v3(new z.Location(store), { kind: 'array' })) as Zarrita.Array<Zarrita.DataType, Store>;
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    throw new TesseraError(`${what}: ${info.metadataFile}: ${reason(e)}; the Zarr metadata is invalid or unsupported`);
  }
  const names = node.meta.dimension_names;
  const dimensionNames = Array.isArray(names) ? (names as (string | null)[]) : undefined;
  const axes = options.axes;
  if (axes !== undefined && (typeof axes !== 'string' || axes.length !== info.shape.length)) {
    throw new TesseraError(`${what}: options.axes must be ${info.shape.length} letters (one per dimension of ${dir}); got ${JSON.stringify(axes)}`);
  }
  return new ZarrArray(store, info, spec, codec, sharded, mode === 'r+', cacheBytes, node.attributes, dimensionNames, axes);
}

/** Zarr v2 dtype codes of Tessera dtypes. */
const V2_DTYPE: Record<DType, string> = {
  uint8: '|u1', int8: '|i1', uint16: '<u2', int16: '<i2', uint32: '<u4', int32: '<i4', float32: '<f4',
};

/** The metadata documents of a new array: `{ key: document }` (zarr.json, or .zarray and .zattrs). */
export function zarrMetadata(shape: readonly number[], dtype: DType, options: Required<Pick<CreateZarrOptions, 'chunks' | 'codec' | 'level' | 'format' | 'fillValue'>> & Pick<CreateZarrOptions, 'dimensionNames' | 'attributes'>): Record<string, unknown> {
  const { chunks, codec, level, format, fillValue } = options;
  const attributes = options.attributes ?? {};
  if (format === 2) {
    const compressor = {
      blosc: { id: 'blosc', cname: 'zstd', clevel: level, shuffle: 1, blocksize: 0 },
      zstd: { id: 'zstd', level },
      none: null,
    }[codec];
    return {
      '/.zarray': { zarr_format: 2, shape: [...shape], chunks: [...chunks], dtype: V2_DTYPE[dtype], compressor, fill_value: fillValue, order: 'C', filters: null, dimension_separator: '/' },
      '/.zattrs': attributes,
    };
  }
  const compressor = {
    blosc: [{ name: 'blosc', configuration: { cname: 'zstd', clevel: level, shuffle: 'shuffle', typesize: bytesPerPixel(dtype), blocksize: 0 } }],
    zstd: [{ name: 'zstd', configuration: { level, checksum: false } }],
    none: [],
  }[codec];
  return {
    '/zarr.json': {
      zarr_format: 3,
      node_type: 'array',
      shape: [...shape],
      data_type: dtype,
      chunk_grid: { name: 'regular', configuration: { chunk_shape: [...chunks] } },
      chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
      fill_value: fillValue,
      codecs: [{ name: 'bytes', configuration: { endian: 'little' } }, ...compressor],
      ...(options.dimensionNames ? { dimension_names: [...options.dimensionNames] } : {}),
      attributes,
    },
  };
}

/** Checks createZarr's options and fills in the defaults. */
function createOptions(shape: readonly number[], options: CreateZarrOptions, what: string) {
  const chunks = options.chunks ?? shape.map((e) => Math.min(e, 128));
  if (!Array.isArray(chunks) || chunks.length !== shape.length || !chunks.every((e) => Number.isInteger(e) && e >= 1)) {
    throw new TesseraError(`${what}: options.chunks must be ${shape.length} positive integers; got ${JSON.stringify(options.chunks)}`);
  }
  const codec = options.codec ?? 'blosc';
  if (!CODEC_NAMES.includes(codec)) throw new TesseraError(`${what}: options.codec must be one of ${CODEC_NAMES.map((c) => `'${c}'`).join(', ')}; got ${JSON.stringify(codec)}`);
  const level = options.level ?? DEFAULT_LEVEL[codec];
  const levels = { blosc: [0, 9], zstd: [1, 22], none: [0, 0] }[codec];
  if (!Number.isInteger(level) || level < levels[0] || level > levels[1]) {
    throw new TesseraError(`${what}: options.level for ${codec} must be an integer from ${levels[0]} to ${levels[1]}; got ${options.level}`);
  }
  const format = options.format ?? 3;
  if (format !== 2 && format !== 3) throw new TesseraError(`${what}: options.format must be 2 or 3; got ${JSON.stringify(format)}`);
  const fillValue = options.fillValue ?? 0;
  if (typeof fillValue !== 'number' || !Number.isFinite(fillValue)) throw new TesseraError(`${what}: options.fillValue must be a finite number; got ${fillValue}`);
  const names = options.dimensionNames;
  if (names !== undefined && (!Array.isArray(names) || names.length !== shape.length || !names.every((x) => typeof x === 'string'))) {
    throw new TesseraError(`${what}: options.dimensionNames must be ${shape.length} strings; got ${JSON.stringify(names)}`);
  }
  const attributes = options.attributes;
  if (attributes !== undefined && (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))) {
    throw new TesseraError(`${what}: options.attributes must be an object; got ${JSON.stringify(attributes)}`);
  }
  return { chunks, codec, level, format, fillValue, dimensionNames: names, attributes };
}

/**
 * Makes `path` an empty directory for a new Zarr node, refusing to replace anything that is not
 * a Zarr array or group (and a Zarr node unless `overwrite`).
 */
export async function prepareDirectory(path: string, overwrite: boolean | undefined, what: string): Promise<string> {
  if (typeof path !== 'string' || path === '') throw new TesseraError(`${what}: path must be a non-empty string; got ${JSON.stringify(path)}`);
  if (isUrl(path)) throw new TesseraError(`${what}: ${path} is a URL; Tessera writes Zarr to local paths only`);
  const dir = resolve(path);
  const existing = await readdir(dir).catch(() => undefined);
  if (existing && existing.length > 0) {
    const node = await readNode(new FsStore(dir)).catch(() => ({ kind: 'corrupt' }));
    if (!overwrite) throw new TesseraError(`${what}: ${dir} already exists and is not empty; pass { overwrite: true } to replace a Zarr array there, or choose a new path`);
    if (node.kind !== 'array' && node.kind !== 'group') throw new TesseraError(`${what}: ${dir} is not a Zarr array or group; refusing to overwrite it`);
    await rm(dir, { recursive: true });
  }
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Writes metadata documents (`{ key: document }`) into a store. */
export async function writeMetadata(store: Store, documents: Record<string, unknown>): Promise<void> {
  for (const [key, doc] of Object.entries(documents)) await store.set(key, new TextEncoder().encode(JSON.stringify(doc, null, 2)));
}

/**
 * Creates an empty Zarr array (format 3 by default, or 2) in a local directory and opens it for
 * writing (e.g. for tiled results: `await out.write(tileStart, await tessera.pull(tile))`).
 * Unwritten chunks read as `options.fillValue`. Chunks are blosc-compressed (zstd, level 1) by
 * default. The result can be read by zarr-python, dask, napari and the like.
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
  const checked = createOptions(shape, options, what);
  const dir = await prepareDirectory(path, options.overwrite, what);
  await writeMetadata(new FsStore(dir), zarrMetadata(shape, dtype, checked));
  return openZarr(dir, { mode: 'r+' });
}

/** @internal For createOmeZarr: the checked options and metadata of one level. */
export { createOptions as checkCreateZarrOptions };
