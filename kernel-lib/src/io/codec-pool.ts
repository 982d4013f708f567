/**
 * Worker threads that decode and encode Zarr chunks, so that reading and writing compressed arrays
 * uses several cores (numcodecs' WASM blosc/zstd run at 100–300 MB/s per core). The main thread
 * keeps the file I/O (asynchronous already); chunks travel to the workers as transferred buffers,
 * come back decoded in shared memory, and copies between shared arrays (chunks into tiles) run on
 * the workers too.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DType } from '../dtype';
import { TesseraError } from '../errors';
import type { ChunkPixels, CodecSpec, DecodedChunk } from './chunk-codec';
import type { CodecReply, CodecRequest, SharedBox, SharedCopy } from './codec-worker';

/** Default: one thread per core but one (the main thread reads files and copies), at most 15. */
function defaultThreads(): number {
  const fromEnv = Number(process.env.TESSERA_IO_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv >= 0) return fromEnv;
  return Math.max(1, Math.min(15, availableParallelism() - 1));
}

/** Chunks smaller than this (decoded) are coded on the main thread: a round trip would cost more. */
const DEFAULT_MIN_CHUNK_BYTES = 128 * 1024;

let threads = defaultThreads();
let minChunkBytes = DEFAULT_MIN_CHUNK_BYTES;
let pool: CodecPool | undefined;

/** Options of {@link setIoThreads}. */
export interface IoThreadOptions {
  /** Chunks of fewer decoded bytes are coded on the main thread (default 128 KB; 0: every chunk goes to a worker). */
  minChunkBytes?: number;
}

/**
 * Sets how many worker threads decode and encode Zarr chunks (default: cores - 1, at most 15, or
 * `TESSERA_IO_THREADS`); 0 codes every chunk on the main thread. Running workers are stopped.
 */
export function setIoThreads(count: number, options: IoThreadOptions = {}): void {
  if (!Number.isInteger(count) || count < 0 || count > 256) throw new TesseraError(`setIoThreads: count must be an integer from 0 to 256; got ${count}`);
  const min = options.minChunkBytes ?? DEFAULT_MIN_CHUNK_BYTES;
  if (!(typeof min === 'number' && min >= 0)) throw new TesseraError(`setIoThreads: options.minChunkBytes must be a number >= 0; got ${min}`);
  void pool?.close();
  pool = undefined;
  threads = count;
  minChunkBytes = min;
}

/** The number of codec worker threads in use (0: main thread only). */
export function ioThreads(): number {
  return threads;
}

/** The pool for chunks of `chunkBytes` decoded bytes, or undefined when they are coded on the main thread. */
export function codecPoolFor(chunkBytes: number): CodecPool | undefined {
  if (threads === 0 || chunkBytes < minChunkBytes) return undefined;
  pool ??= new CodecPool(threads);
  return pool;
}

/** A request without its id (distributed over the union's members). */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  resolve: (reply: CodecReply & { ok: true }) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** Worker threads running ChunkCodec; each task goes to the least busy worker. */
export class CodecPool {
  readonly #slots: Slot[] = [];
  #nextId = 0;
  #closed = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.#slots.push(this.spawn());
  }

  decode(spec: CodecSpec, coords: number[], bytes: Uint8Array | undefined): Promise<DecodedChunk> {
    // Transfer the bytes when they own their buffer (a file read); otherwise send a copy.
    const own = bytes && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes?.slice();
    return this.run({ op: 'decode', spec, coords, bytes: own }, own ? [own.buffer as ArrayBuffer] : []).then(
      (reply) => ({ data: reply.data as DecodedChunk['data'], stride: reply.stride! }),
    );
  }

  /** Encodes `pixels` (its buffer is transferred to the worker: the caller must not use it after). */
  encode(spec: CodecSpec, coords: number[], pixels: ChunkPixels): Promise<Uint8Array> {
    return this.run({ op: 'encode', spec, coords, pixels }, [pixels.data.buffer as ArrayBuffer]).then((reply) => reply.data as Uint8Array);
  }

  /** Encodes the whole chunk `coords` (in-array extent `shape`, values as `dtype`) cut out of `box` of an array in shared memory. */
  encodeBox(spec: CodecSpec, coords: number[], dtype: DType, shape: number[], box: SharedBox): Promise<Uint8Array> {
    return this.run({ op: 'encodeBox', spec, coords, dtype, shape, box }, []).then((reply) => reply.data as Uint8Array);
  }

  /**
   * Copies a box between two arrays in shared memory (SharedArrayBuffer) on a worker, as
   * region.ts's copyBox would: the main thread assembles tiles from many chunks, and one core
   * copies memory at a few GB/s.
   */
  copy(c: SharedCopy): Promise<void> {
    return this.run({ op: 'copy', ...c }, []).then(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }

  private run(request: Unnumbered<CodecRequest>, transfer: ArrayBuffer[]): Promise<CodecReply & { ok: true }> {
    const slot = this.#slots.reduce((best, s) => (s.pending.size < best.pending.size ? s : best));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      if (slot.pending.size === 1) slot.worker.ref(); // keep the process alive while work is out
      slot.worker.postMessage({ ...request, id }, transfer);
    });
  }

  private spawn(): Slot {
    const worker = new Worker(join(__dirname, 'codec-worker.js'));
    const slot: Slot = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (reply: CodecReply) => {
      const task = slot.pending.get(reply.id);
      if (!task) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if (reply.ok) task.resolve(reply);
      else task.reject(new Error(reply.message));
    });
    const fail = (why: string) => {
      for (const task of slot.pending.values()) task.reject(new TesseraError(`a codec worker thread ${why}`));
      slot.pending.clear();
      const i = this.#slots.indexOf(slot);
      if (i >= 0 && !this.#closed) this.#slots[i] = this.spawn(); // replace it for later tasks
    };
    worker.on('error', (e) => fail(`failed: ${e.message}`));
    worker.on('exit', (code) => {
      if (slot.pending.size) fail(`exited (code ${code})`);
    });
    return slot;
  }
}
