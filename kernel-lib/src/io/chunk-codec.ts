/**
 * One Zarr array's chunk codec: bytes to pixels and back, with zarrita's codec pipeline (numcodecs'
 * WASM blosc / zstd / lz4, zarrita's gzip, zlib, transpose, ...) and no store. It runs on the main
 * thread and in the codec worker threads alike; ZarrArray reads and writes the bytes itself.
 *
 * zarrita only decodes through a store, so the codec opens the array over a small in-memory store
 * that holds the metadata and, for the length of one call, the chunk's bytes.
 */
import type { TypedArray } from '../dtype';
import { parseV2, parseV3 } from './zarr-metadata';
import { zarrita, type Zarrita } from './zarrita';

/** A decoded chunk: its values and their strides (C or F order, as the array stores them). */
export interface DecodedChunk {
  data: TypedArray;
  stride: number[];
}

/** Pixels for {@link ChunkCodec.encode}: the part of the chunk inside the array, in C order. */
export interface ChunkPixels {
  data: TypedArray;
  /** The in-array extent of the chunk (the chunk shape, or less at the array's far edges). */
  shape: number[];
}

/** The metadata document of an array and its format (what {@link ChunkCodec.create} needs; it travels to worker threads). */
export interface CodecSpec {
  format: 2 | 3;
  /** zarr.json (v3) or .zarray (v2), as text. */
  metadata: string;
}

export class ChunkCodec {
  /** Keys whose bytes zarrita may ask for now: chunk key -> bytes (undefined: missing, reads as fill). */
  readonly #present = new Map<string, Uint8Array | undefined>();
  /** Encoded chunks zarrita handed to the store, by key. */
  readonly #written = new Map<string, Uint8Array>();
  /** Calls in flight by chunk key: calls on one chunk run one after another (they share its key). */
  readonly #busy = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly z: typeof Zarrita,
    private readonly array: Zarrita.Array<Zarrita.DataType, Zarrita.Mutable>,
    private readonly chunkKey: (coords: number[]) => string,
    private readonly shape: readonly number[],
  ) {}

  static async create(spec: CodecSpec): Promise<ChunkCodec> {
    const z = await zarrita();
    const metaKey = spec.format === 3 ? '/zarr.json' : '/.zarray';
    const metaBytes = new TextEncoder().encode(spec.metadata);
    let codec: ChunkCodec | undefined;
    const store = {
      get: async (key: string) => {
        if (key === metaKey) return metaBytes;
        if (key === '/.zattrs') return undefined;
        if (!codec!.#present.has(key)) throw new Error(`internal: zarrita asked for key ${key}, which Tessera did not supply`);
        return codec!.#present.get(key);
      },
      set: async (key: string, value: Uint8Array) => {
        codec!.#written.set(key, value);
      },
    };
    const location = new z.Location(store);
    const array = spec.format === 3 ? await z.open.v3(location, { kind: 'array' }) : await z.open.v2(location, { kind: 'array', attrs: false });
    const doc = JSON.parse(spec.metadata) as Record<string, unknown>;
    const { chunkKey } = spec.format === 3 ? parseV3(doc, metaKey) : parseV2(doc, metaKey);
    codec = new ChunkCodec(z, array as ChunkCodec['array'], chunkKey, array.shape);
    return codec;
  }

  /** Decodes chunk `coords` from its stored bytes (undefined: a missing chunk, which is all fill value). */
  decode(coords: number[], bytes: Uint8Array | undefined): Promise<DecodedChunk> {
    return this.exclusive(coords, async (key) => {
      this.#present.set(key, bytes);
      try {
        const chunk = await this.array.getChunk(coords);
        const data = chunk.data as unknown as TypedArray | { buffer: ArrayBuffer; byteOffset: number; length: number };
        // zarrita's BoolArray wraps one byte per value: read as uint8 0/1.
        const values = ArrayBuffer.isView(data) ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
        return { data: values, stride: chunk.stride };
      } finally {
        this.#present.delete(key);
      }
    });
  }

  /**
   * Encodes the pixels of chunk `coords` (C order, its in-array extent) into the bytes to store.
   * The part of an edge chunk outside the array is stored as the fill value.
   */
  encode(coords: number[], pixels: ChunkPixels): Promise<Uint8Array> {
    return this.exclusive(coords, async (key) => {
      const chunks = this.array.chunks;
      const selection = coords.map((c, k) => this.z.slice(c * chunks[k], Math.min(this.shape[k], (c + 1) * chunks[k])));
      const stride = pixels.shape.map((_, k) => pixels.shape.slice(k + 1).reduce((a, b) => a * b, 1));
      this.#present.set(key, undefined); // an edge chunk is merged with a fresh (fill) chunk
      try {
        await this.z.set(this.array, selection, { data: pixels.data, shape: pixels.shape, stride } as unknown as Zarrita.Chunk<Zarrita.DataType>);
        const bytes = this.#written.get(key);
        if (!bytes) throw new Error(`internal: zarrita wrote no bytes for key ${key}`);
        return bytes;
      } finally {
        this.#present.delete(key);
        this.#written.delete(key);
      }
    });
  }

  /** Runs `task` with chunk `coords`'s store key once no other call on that chunk is running. */
  private async exclusive<T>(coords: number[], task: (key: string) => Promise<T>): Promise<T> {
    const key = `/${this.chunkKey(coords)}`;
    const previous = this.#busy.get(key);
    const mine = (previous ? previous.then(() => undefined, () => undefined) : Promise.resolve()).then(() => task(key));
    const settled = mine.catch(() => undefined);
    this.#busy.set(key, settled);
    try {
      return await mine;
    } finally {
      if (this.#busy.get(key) === settled) this.#busy.delete(key);
    }
  }
}
