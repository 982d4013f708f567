/**
 * N-dimensional boxes and chunk grids: validation, the chunks a box touches, tiles of whole chunks.
 * Pure geometry (no I/O, no GPU): the planner (plan/tiles.ts), the readers and writers (io/) and
 * the GPU slabs (array/slabs.ts) share it.
 */
import { TesseraError } from '../errors';

/** A box of an array: its first index and extent per dimension. */
export interface Box {
  start: number[];
  size: number[];
}

export const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** C-order strides (in elements) of an array of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    strides[k] = step;
    step *= shape[k];
  }
  return strides;
}

/**
 * Checks that `start` and `size` describe a non-empty box inside `shape`, naming the call in
 * errors. `size` defaults to the rest of the array from `start`.
 */
export function checkBox(shape: readonly number[], start: unknown, size: unknown, what: string): Box {
  const n = shape.length;
  const isInts = (x: unknown): x is number[] => Array.isArray(x) && x.length === n && x.every((e) => Number.isInteger(e));
  if (!isInts(start)) throw new TesseraError(`${what}: start must be ${n} integers (one per dimension of shape [${shape}]); got ${JSON.stringify(start)}`);
  const sz = size ?? shape.map((e, k) => e - start[k]);
  if (!isInts(sz)) throw new TesseraError(`${what}: size must be ${n} integers (one per dimension of shape [${shape}]); got ${JSON.stringify(size)}`);
  for (let k = 0; k < n; k++) {
    if (start[k] < 0 || sz[k] < 1 || start[k] + sz[k] > shape[k]) {
      throw new TesseraError(
        `${what}: the box from [${start}] of size [${sz}] is not inside the array of shape [${shape}] ` +
          `(dimension ${k}: ${start[k]}..${start[k] + sz[k] - 1} of 0..${shape[k] - 1}; sizes must be at least 1)`,
      );
    }
  }
  return { start: [...start], size: [...sz] };
}

/** The cells two boxes share, as [lo, hi) per dimension (empty where some lo >= hi). */
export function overlap(a: Box, b: Box): { lo: number[]; hi: number[] } {
  const lo = a.start.map((s, k) => Math.max(s, b.start[k]));
  const hi = a.start.map((s, k) => Math.min(s + a.size[k], b.start[k] + b.size[k]));
  return { lo, hi };
}

/**
 * The chunk grid of an array (or of a view into one) in the array's own coordinates: chunk
 * `coords` covers `[offset + coords * chunks, offset + (coords + 1) * chunks)` per dimension,
 * clipped to `[0, shape)`. `offset` is 0 for a stored array and in `(-chunks, 0]` for a view that
 * starts inside a chunk. This is what a tiled executor aligns its tiles to: a box whose edges
 * all lie on chunk boundaries (or on the array's edges) writes only whole chunks.
 */
export class ChunkGrid {
  readonly shape: readonly number[];
  readonly chunks: readonly number[];
  readonly offset: readonly number[];

  constructor(shape: readonly number[], chunks: readonly number[], offset: readonly number[] = shape.map(() => 0)) {
    this.shape = [...shape];
    this.chunks = [...chunks];
    this.offset = [...offset];
  }

  /** Chunks per dimension. */
  get gridShape(): number[] {
    return this.shape.map((e, k) => Math.ceil((e - this.offset[k]) / this.chunks[k]));
  }

  /** Number of chunks. */
  get count(): number {
    return product(this.gridShape);
  }

  /** The chunk holding index `i` along dimension `k`. */
  chunkIndex(k: number, i: number): number {
    return Math.floor((i - this.offset[k]) / this.chunks[k]);
  }

  /** The part of the array chunk `coords` covers. */
  chunkBox(coords: readonly number[]): Box {
    const start = coords.map((c, k) => Math.max(0, this.offset[k] + c * this.chunks[k]));
    const end = coords.map((c, k) => Math.min(this.shape[k], this.offset[k] + (c + 1) * this.chunks[k]));
    return { start, size: end.map((e, k) => e - start[k]) };
  }

  /** Coordinates of every chunk that intersects `box`, in C order. */
  chunksIn(box: Box): number[][] {
    const first = box.start.map((s, k) => this.chunkIndex(k, s));
    const last = box.start.map((s, k) => this.chunkIndex(k, s + box.size[k] - 1));
    const out: number[][] = [];
    const c = [...first];
    for (;;) {
      out.push([...c]);
      let k = c.length - 1;
      for (; k >= 0; k--) {
        if (++c[k] <= last[k]) break;
        c[k] = first[k];
      }
      if (k < 0) return out;
    }
  }

  /** Whether index `i` along dimension `k` is a chunk boundary or an edge of the array. */
  isBoundary(k: number, i: number): boolean {
    return i === 0 || i === this.shape[k] || (i - this.offset[k]) % this.chunks[k] === 0;
  }

  /** Whether `box` consists of whole chunks only (its edges lie on chunk boundaries or array edges). */
  isAligned(box: Box): boolean {
    return box.start.every((s, k) => this.isBoundary(k, s) && this.isBoundary(k, s + box.size[k]));
  }

  /** The smallest box of whole chunks that holds `box`. */
  align(box: Box): Box {
    const start = box.start.map((s, k) => Math.max(0, this.offset[k] + this.chunkIndex(k, s) * this.chunks[k]));
    const end = box.start.map((s, k) => Math.min(this.shape[k], this.offset[k] + (this.chunkIndex(k, s + box.size[k] - 1) + 1) * this.chunks[k]));
    return { start, size: end.map((e, k) => e - start[k]) };
  }

  /**
   * Tiles of `chunksPerTile` whole chunks per dimension that cover the array once, in C order
   * (the last tiles along a dimension may be smaller). Tiles of a stored array never share a chunk.
   */
  *tiles(chunksPerTile: readonly number[]): Generator<Box> {
    const n = this.shape.length;
    if (chunksPerTile.length !== n || !chunksPerTile.every((e) => Number.isInteger(e) && e >= 1)) {
      throw new TesseraError(`ChunkGrid.tiles: chunksPerTile must be ${n} positive integers; got ${JSON.stringify(chunksPerTile)}`);
    }
    const grid = this.gridShape;
    const counts = grid.map((g, k) => Math.ceil(g / chunksPerTile[k]));
    const t = new Array<number>(n).fill(0);
    for (;;) {
      const first = t.map((e, k) => e * chunksPerTile[k]);
      const last = first.map((f, k) => Math.min(grid[k], f + chunksPerTile[k]) - 1);
      const lo = this.chunkBox(first);
      const hi = this.chunkBox(last);
      yield { start: lo.start, size: hi.start.map((s, k) => s + hi.size[k] - lo.start[k]) };
      let k = n - 1;
      for (; k >= 0; k--) {
        if (++t[k] < counts[k]) break;
        t[k] = 0;
      }
      if (k < 0) return;
    }
  }
}

/** The text of a box, as `[z0:z1, y0:y1, x0:x1]` (numpy slice notation, end exclusive). */
export function boxText(box: Box): string {
  return `[${box.start.map((s, k) => `${s}:${s + box.size[k]}`).join(', ')}]`;
}
