/**
 * Reads tiles with their margins so that each input chunk is decoded about once per job. A tile's
 * margin reaches into the neighbouring chunks, and a chunk can only be decoded whole: read tile
 * by tile, the 8.6 GB benchmark (chunks 64×512×512, tiles 128×512×512, margin 8/18/18) decoded
 * every chunk about 12 times. The reader knows the plan, so it keeps each chunk a later tile needs
 * (up to a memory bound, dropping the one needed furthest ahead first: the best choice for a
 * known order) and shares a chunk between tiles read at the same time.
 */
import { totalmem } from 'node:os';
import type { HostImage } from '../array/transfer';
import { allocTypedArray, bytesPerPixel, type TypedArray } from '../dtype';
import type { LazyArray } from '../io/lazy-array';
import { codecPoolFor } from '../io/codec-pool';
import { copyBox } from '../io/region';
import { product, stridesOf, overlap, type Box } from '../plan/box';
import type { Tile } from '../plan/tiles';
import { HostArray } from './sources';

/**
 * How an executor reads tile `n`'s read box: through a {@link TileReader}, or straight from host
 * pixels (which cost nothing to read again).
 */
export function tileReads(input: LazyArray, tiles: readonly Tile[], order: readonly number[], limitBytes?: number): (n: number) => Promise<HostImage> {
  if (input instanceof HostArray) return (n) => input.readRegion(tiles[n].read.start, tiles[n].read.size);
  const reader = new TileReader(input, tiles, order, limitBytes);
  return (n) => reader.read(n);
}

/** Default bound on kept chunks: 4 GiB (12× → 1× decodes in the benchmark), at most an eighth of the host's memory. */
export function defaultChunkCacheBytes(): number {
  return Math.min(4 * 1024 ** 3, totalmem() / 8);
}

interface Held {
  box: Box;
  pixels: Promise<{ data: TypedArray; stride: number[]; origin: number[] }>;
  bytes: number;
  /** Reads of tiles using it now: a chunk in use is never dropped. */
  readers: number;
}

/** Reads the tiles of a plan chunk by chunk, keeping the chunks that later tiles share (see above). */
export class TileReader {
  readonly #grid;
  /** Positions (in the expected order) of the tiles needing each chunk, still to come. */
  readonly #uses = new Map<string, number[]>();
  readonly #position: Map<number, number>;
  readonly #held = new Map<string, Held>();
  #heldBytes = 0;
  /** Bytes of one decoded chunk. */
  readonly #chunkBytes: number;
  /** Chunks decoded so far (for the benchmark: against the input's chunk count). */
  decoded = 0;

  /**
   * @param order the tile numbers in the order they will probably be read (a worker's feed may
   *   differ: then chunks are re-read or kept longer, never wrong)
   * @param limitBytes decoded chunks kept for later tiles (beyond those in use)
   */
  constructor(private readonly input: LazyArray, private readonly tiles: readonly Tile[], order: readonly number[], private readonly limitBytes = defaultChunkCacheBytes()) {
    this.#grid = input.grid;
    this.#chunkBytes = product(input.chunks) * bytesPerPixel(input.dtype);
    this.#position = new Map(order.map((n, p) => [n, p]));
    for (const [p, n] of order.entries()) {
      for (const c of this.#grid.chunksIn(tiles[n].read)) {
        const key = c.join(',');
        const list = this.#uses.get(key);
        if (list) list.push(p);
        else this.#uses.set(key, [p]);
      }
    }
  }

  /** Tile `n`'s read box (core and margin). */
  async read(n: number): Promise<HostImage> {
    const box = this.tiles[n].read;
    const chunks = this.#grid.chunksIn(box).map((c) => c.join(','));
    // No chunk shared with another tile: read the box as it is (no copy through the chunks).
    if (chunks.every((key) => (this.#uses.get(key)?.length ?? 0) <= 1 && !this.#held.has(key))) {
      this.#consume(chunks, n);
      this.decoded += chunks.length;
      return this.input.readRegion(box.start, box.size);
    }
    const pool = codecPoolFor(this.#chunkBytes);
    // In shared memory when workers decode: they copy the chunks (decoded into shared memory) into it.
    const into = allocTypedArray(this.input.dtype, product(box.size), pool !== undefined);
    const stride = stridesOf(box.size);
    const held = chunks.map((key) => this.#hold(key));
    try {
      await Promise.all(held.map(async (h) => {
        const { data, stride: from, origin } = await h.pixels;
        const { lo, hi } = overlap(box, h.box);
        if (pool && data.buffer instanceof SharedArrayBuffer) {
          await pool.copy({ src: data, srcStride: from, srcOrigin: origin, dst: into, dstStride: stride, dstOrigin: box.start, lo, hi });
        } else {
          copyBox(data, from, origin, into, stride, box.start, lo, hi);
        }
      }));
    } finally {
      for (const h of held) h.readers--;
      this.#consume(chunks, n);
    }
    return { data: into, shape: [...box.size], dtype: this.input.dtype };
  }

  /** The chunk `key`, held (read now unless held already). */
  #hold(key: string): Held {
    let h = this.#held.get(key);
    if (!h) {
      const coords = key.split(',').map(Number);
      const box = this.#grid.chunkBox(coords);
      const pixels = this.input.readChunk(coords);
      h = { box, pixels, bytes: this.#chunkBytes, readers: 0 };
      this.#held.set(key, h);
      this.#heldBytes += h.bytes;
      this.decoded++;
      // A failed read is not kept: a later tile tries again (and this one reports the error).
      const mine = h;
      pixels.catch(() => {
        if (this.#held.get(key) === mine) this.#drop(key);
      });
    }
    h.readers++;
    return h;
  }

  /** Tile `n` has read `chunks`: forget its uses, drop chunks no later tile needs, keep the rest within the bound. */
  #consume(chunks: readonly string[], n: number): void {
    const p = this.#position.get(n) ?? Infinity;
    for (const key of chunks) {
      const list = this.#uses.get(key);
      while (list?.length && list[0] <= p) list.shift();
      if (!list?.length) {
        this.#uses.delete(key);
        if (this.#held.get(key)?.readers === 0) this.#drop(key);
      }
    }
    while (this.#heldBytes > this.limitBytes) {
      let far: string | undefined;
      let farNext = -1;
      for (const [key, h] of this.#held) {
        if (h.readers > 0) continue;
        const next = this.#uses.get(key)?.[0] ?? Infinity;
        if (next > farNext) [far, farNext] = [key, next];
      }
      if (far === undefined) return;
      this.#drop(far);
    }
  }

  #drop(key: string): void {
    const h = this.#held.get(key);
    if (!h) return;
    this.#held.delete(key);
    this.#heldBytes -= h.bytes;
  }
}
