/**
 * A codec worker thread: decodes and encodes Zarr chunks for the main thread (see codec-pool.ts),
 * so that several cores run the WASM codecs at once, and copies boxes between shared arrays.
 * Stateless apart from a cache of codecs by array metadata.
 */
import { parentPort } from 'node:worker_threads';
import { type DType, allocTypedArray } from '../dtype';
import { ChunkCodec, type ChunkPixels, type CodecSpec } from './chunk-codec';
import { product, stridesOf } from '../plan/box';
import { copyBox } from './region';

/** A strided box copy between two arrays in shared memory (see CodecPool.copy). */
export interface SharedCopy {
  src: ArrayBufferView & ArrayLike<number>;
  srcStride: number[];
  srcOrigin: number[];
  dst: ArrayBufferView & ArrayLike<number>;
  dstStride: number[];
  dstOrigin: number[];
  lo: number[];
  hi: number[];
}

/** A request from the pool. */
export type CodecRequest =
  | { id: number; op: 'decode'; spec: CodecSpec; coords: number[]; bytes: Uint8Array | undefined }
  | { id: number; op: 'encode'; spec: CodecSpec; coords: number[]; pixels: ChunkPixels }
  | { id: number; op: 'encodeBox'; spec: CodecSpec; coords: number[]; dtype: DType; shape: number[]; box: SharedBox }
  | ({ id: number; op: 'copy' } & SharedCopy);

/** The box [lo, hi) of an array in shared memory (laid out with `srcStride` from `srcOrigin`). */
export type SharedBox = Pick<SharedCopy, 'src' | 'srcStride' | 'srcOrigin' | 'lo' | 'hi'>;

/** The answer: a decoded chunk, encoded bytes, or an error message. */
export type CodecReply =
  | { id: number; ok: true; data: ArrayBufferView; stride?: number[] }
  | { id: number; ok: false; message: string };

const codecs = new Map<string, Promise<ChunkCodec>>();
const MAX_CODECS = 64;

function codecFor(spec: CodecSpec): Promise<ChunkCodec> {
  let codec = codecs.get(spec.metadata);
  if (!codec) {
    if (codecs.size >= MAX_CODECS) codecs.clear();
    codec = ChunkCodec.create(spec);
    codecs.set(spec.metadata, codec);
  }
  return codec;
}

/** A copy of `data` in shared memory (same element type), which other threads can read and copy from. */
function shared(data: ArrayBufferView & ArrayLike<number>): ArrayBufferView {
  const View = data.constructor as new (buffer: SharedArrayBuffer) => ArrayBufferView & { set(a: ArrayLike<number>): void };
  const out = new View(new SharedArrayBuffer(data.byteLength));
  out.set(data);
  return out;
}

parentPort?.on('message', async (request: CodecRequest) => {
  try {
    if (request.op === 'copy') {
      const { src, srcStride, srcOrigin, dst, dstStride, dstOrigin, lo, hi } = request;
      copyBox(src as never, srcStride, srcOrigin, dst as never, dstStride, dstOrigin, lo, hi);
      parentPort!.postMessage({ id: request.id, ok: true, data: new Uint8Array(0) } satisfies CodecReply);
      return;
    }
    const codec = await codecFor(request.spec);
    if (request.op === 'encodeBox') {
      // A whole chunk cut out of a shared tile here rather than on the main thread.
      const { box, shape } = request;
      const data = allocTypedArray(request.dtype, product(shape));
      copyBox(box.src as never, box.srcStride, box.srcOrigin, data, stridesOf(shape), box.lo, box.lo, box.hi);
      const bytes = await codec.encode(request.coords, { data, shape });
      parentPort!.postMessage({ id: request.id, ok: true, data: bytes } satisfies CodecReply, [bytes.buffer as ArrayBuffer]);
      return;
    }
    if (request.op === 'decode') {
      const { data, stride } = await codec.decode(request.coords, request.bytes);
      // Decoded into shared memory: the main thread keeps it for later tiles, and workers copy
      // out of it into shared tiles (CodecPool.copy), so that copies run on several cores too.
      parentPort!.postMessage({ id: request.id, ok: true, data: shared(data as ArrayBufferView & ArrayLike<number>), stride } satisfies CodecReply);
    } else {
      const bytes = await codec.encode(request.coords, request.pixels);
      parentPort!.postMessage({ id: request.id, ok: true, data: bytes } satisfies CodecReply, [bytes.buffer as ArrayBuffer]);
    }
  } catch (e) {
    const err = e as Error & { cause?: Error };
    const message = `${err?.message ?? String(e)}${err?.cause instanceof Error ? `: ${err.cause.message}` : ''}`;
    parentPort!.postMessage({ id: request.id, ok: false, message } satisfies CodecReply);
  }
});
