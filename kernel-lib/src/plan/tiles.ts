import { TesseraError } from '../errors';
import { Box, ChunkGrid, product } from './box';

/**
 * The one tiling planner: which tiles an N-D array is processed in, how far each reads beyond
 * its core (the margin, from the pipeline's halo), and how big tiles can be for a memory budget.
 * The executors (GPU slabs of one large image, host tiles over Zarr, local workers, Slurm tasks)
 * all take their tiles from here.
 *
 * Leading dimensions beyond the last `spatialDims` (time, channel) are processed one index at a
 * time. Along the spatial dimensions a tile's core is a box of whole chunks of the output's grid
 * (so that no two tiles write one chunk), grown while core + margins fit the budget.
 */

export interface Tile {
  /** Position of the tile in the plan's tile grid. */
  index: number[];
  /** The part of the array this tile computes and writes. */
  core: Box;
  /** What it reads: the core grown by the margin, clipped at the array's edges. */
  read: Box;
  /** Where the core lies inside the read box (for cropping the tile's result). */
  inner: Box;
}

export interface TilePlan {
  shape: number[];
  /** Extent of a (full) tile's core per dimension. */
  tileShape: number[];
  /** Tiles per dimension: `tiles` lists them in C order of their `index`. */
  counts: number[];
  /** Chunks of the grid per tile core along each dimension. */
  chunksPerTile: number[];
  margin: number[];
  tiles: Tile[];
  /** Bytes of GPU memory the largest tile needs (read box × bytes per pixel). */
  peakBytes: number;
  /** Core pixels over read pixels for a full interior tile (1 = no overlap cost). */
  efficiency: number;
}

export interface PlanOptions {
  /** The array's shape. */
  shape: readonly number[];
  /** Margin per dimension (length of `shape`; leading dimensions 0). */
  margin: readonly number[];
  /** The output's chunk grid: cores are whole chunks of it. Default: one-pixel "chunks". */
  grid?: ChunkGrid;
  /** GPU memory one tile may use. */
  budgetBytes: number;
  /** Peak GPU bytes per pixel of a tile's read box (from analysePipeline). */
  bytesPerPixel: number;
  /** Core size per dimension instead of the planner's choice (rounded up to whole chunks). */
  tileShape?: readonly number[];
  /** How many trailing dimensions are spatial (default: up to 3). */
  spatialDims?: number;
  /**
   * Most pixels one tile's read box may hold (e.g. what one GPU buffer binding takes in the
   * widest dtype of the pipeline: WebGPU binds at most `maxStorageBufferBindingSize` bytes).
   */
  maxPixels?: number;
}

const mb = (b: number) => `${(b / 1024 ** 2).toFixed(1)} MB`;

/** Plans the tiles of an array. */
export function planTiles(o: PlanOptions): TilePlan {
  const n = o.shape.length;
  const spatial = o.spatialDims ?? Math.min(3, n);
  const lead = n - spatial;
  if (o.margin.length !== n) throw new TesseraError(`tiling: margin must have ${n} entries (one per dimension); got [${o.margin}]`);
  if (!(o.budgetBytes > 0) || !(o.bytesPerPixel > 0)) throw new TesseraError('tiling: the memory budget and the bytes per pixel must be positive');
  const grid = o.grid ?? new ChunkGrid(o.shape, o.shape.map(() => 1));
  const chunk = grid.chunks;
  const readPixels = (core: readonly number[]) => product(core.map((c, k) => Math.min(o.shape[k], c + 2 * o.margin[k])));
  const maxPixels = o.maxPixels ?? Infinity;
  const fits = (core: readonly number[]) => readPixels(core) * o.bytesPerPixel <= o.budgetBytes && readPixels(core) <= maxPixels;

  // Chunks per tile along each dimension: leading dimensions 1 index at a time.
  let per: number[];
  if (o.tileShape) {
    if (o.tileShape.length !== n || o.tileShape.some((e) => !Number.isInteger(e) || e < 1)) {
      throw new TesseraError(`tiling: tileShape must be ${n} positive integers; got ${JSON.stringify(o.tileShape)}`);
    }
    per = o.tileShape.map((e, k) => (k < lead ? Math.ceil(1 / chunk[k]) : Math.ceil(e / chunk[k])));
  } else {
    per = o.shape.map(() => 1);
    const most = o.shape.map((e, k) => (k < lead ? 1 : Math.ceil(e / chunk[k])));
    const core = () => per.map((p, k) => Math.min(o.shape[k], p * chunk[k]));
    if (!fits(core())) {
      throw new TesseraError(
        `tiling: one chunk (${chunk.slice(lead).join('×')} pixels) with its margins needs ${mb(readPixels(core()) * o.bytesPerPixel)} ` +
          `of GPU memory, more than the budget of ${mb(o.budgetBytes)}` +
          (readPixels(core()) > maxPixels ? ` or the ${maxPixels} pixels one GPU buffer holds` : '') +
          `. Write the output with smaller chunks, or raise the budget (tessera.setMemoryBudget).`,
      );
    }
    // Grow the dimension that gains the most core per read pixel, while the tile still fits.
    for (;;) {
      let best = -1;
      let bestScore = 0;
      for (let k = lead; k < n; k++) {
        if (per[k] >= most[k]) continue;
        const trial = [...per];
        trial[k] = Math.min(most[k], per[k] * 2);
        const c = trial.map((p, j) => Math.min(o.shape[j], p * chunk[j]));
        if (!fits(c)) continue;
        const score = product(c) / readPixels(c);
        if (score > bestScore) {
          bestScore = score;
          best = k;
        }
      }
      if (best < 0) break;
      per[best] = Math.min(most[best], per[best] * 2);
    }
  }

  const tiles: Tile[] = [];
  const tileShape = per.map((p, k) => Math.min(o.shape[k], p * chunk[k]));
  let peak = 0;
  for (const core of grid.tiles(per)) {
    const start = core.start.map((s, k) => Math.max(0, s - o.margin[k]));
    const end = core.start.map((s, k) => Math.min(o.shape[k], s + core.size[k] + o.margin[k]));
    const read: Box = { start, size: end.map((e, k) => e - start[k]) };
    const inner: Box = { start: core.start.map((s, k) => s - start[k]), size: [...core.size] };
    const index = core.start.map((s, k) => Math.floor(grid.chunkIndex(k, s) / per[k]));
    tiles.push({ index, core, read, inner });
    peak = Math.max(peak, product(read.size) * o.bytesPerPixel);
  }
  const full = tileShape.map((t, k) => Math.min(o.shape[k], t + 2 * o.margin[k]));
  const counts = grid.gridShape.map((g, k) => Math.ceil(g / per[k]));
  return { shape: [...o.shape], tileShape, counts, chunksPerTile: per, margin: [...o.margin], tiles, peakBytes: peak, efficiency: product(tileShape) / product(full) };
}

/** The position in `plan.tiles` of the tile whose core holds `point`; `grid` is the one the plan was made with. */
export function tileNumberAt(plan: TilePlan, grid: ChunkGrid, point: readonly number[]): number {
  let n = 0;
  for (let k = 0; k < point.length; k++) n = n * plan.counts[k] + Math.floor(grid.chunkIndex(k, point[k]) / plan.chunksPerTile[k]);
  return n;
}
