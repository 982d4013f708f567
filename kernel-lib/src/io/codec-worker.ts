/**
 * A codec worker thread: decodes and encodes Zarr chunks for the main thread (see codec-pool.ts),
 * so that several cores run the WASM codecs at once. Stateless apart from a cache of codecs by
 * array metadata.
 */
import { parentPort } from 'node:worker_threads';
import { ChunkCodec, type ChunkPixels, type CodecSpec } from './chunk-codec';

/** A request from the pool. */
export type CodecRequest =
  | { id: number; op: 'decode'; spec: CodecSpec; coords: number[]; bytes: Uint8Array | undefined }
  | { id: number; op: 'encode'; spec: CodecSpec; coords: number[]; pixels: ChunkPixels };

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

parentPort?.on('message', async (request: CodecRequest) => {
  try {
    const codec = await codecFor(request.spec);
    if (request.op === 'decode') {
      const { data, stride } = await codec.decode(request.coords, request.bytes);
      parentPort!.postMessage({ id: request.id, ok: true, data, stride } satisfies CodecReply, [data.buffer as ArrayBuffer]);
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
