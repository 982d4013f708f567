/**
 * Visiting every tile of an array on the GPU, for the global operations (reductions, histograms,
 * labelings): the same plan and read-ahead as `tiled`, but each tile's core (after an optional
 * pipeline, e.g. a blur before a threshold) goes to a visitor instead of to an output.
 */
import { push } from '../array/transfer';
import type { GpuImage } from '../array/gpu-image';
import { bytesPerPixel } from '../dtype';
import { memoryStats } from '../gpu/buffer-pool';
import { deviceInfo } from '../gpu/device';
import type { LazyArray } from '../io/lazy-array';
import { crop } from '../ops/transforms/crop';
import { ChunkGrid } from '../plan/box';
import { planTiles, type Tile, type TilePlan } from '../plan/tiles';
import type { Pipeline } from './analyse';
import { runSignal } from './signal';
import { stage } from './stages';
import { tileReads } from './tile-reader';
import { planJob, spatialDimsOf, type TiledOptions } from './tiled';

/** Options of the tiled global operations. */
export interface GlobalOptions extends Pick<TiledOptions, 'budgetBytes' | 'tileShape' | 'spatialDims' | 'signal' | 'margin' | 'progress'> {
  /** A pipeline applied to each tile first (its margin is read, its result is what the operation sees). */
  pipeline?: Pipeline;
  /** Extra margin beyond the pipeline's (labeling reads one pixel more to link tiles). */
  extraMargin?: number;
}

export interface VisitPlan {
  plan: TilePlan;
  grid: ChunkGrid;
  spatial: number;
  margin: number[];
}

/** Plans tiles over `input` for a global operation using `bytesPerPixel` of GPU memory per read pixel beyond the pipeline's. */
export async function planVisits(input: LazyArray, options: GlobalOptions, extraBytesPerPixel: number): Promise<VisitPlan> {
  const spatial = spatialDimsOf(input, options.spatialDims);
  const extra = options.extraMargin ?? 0;
  const grid = new ChunkGrid(input.shape, input.chunks);
  const lead = input.ndim - spatial;
  if (options.pipeline) {
    const job = await planJob(options.pipeline, input, input.chunks, { ...options, budgetBytes: (options.budgetBytes ?? memoryStats().budget / 2) / 2 });
    const margin = job.margin.map((m, k) => (k < lead ? 0 : m + extra));
    const plan = planTiles({ shape: input.shape, margin, grid, budgetBytes: options.budgetBytes ?? memoryStats().budget / 2, bytesPerPixel: job.analysis.bytesPerPixel + extraBytesPerPixel, tileShape: options.tileShape, spatialDims: spatial, maxPixels: Math.floor(deviceInfo().limits.maxStorageBufferBindingSize / 4) });
    return { plan, grid, spatial, margin };
  }
  const margin = input.shape.map((_, k) => (k < lead ? 0 : extra));
  const plan = planTiles({
    shape: input.shape, margin, grid, budgetBytes: options.budgetBytes ?? memoryStats().budget / 2,
    bytesPerPixel: bytesPerPixel(input.dtype) + extraBytesPerPixel, tileShape: options.tileShape, spatialDims: spatial,
    maxPixels: Math.floor(deviceInfo().limits.maxStorageBufferBindingSize / 4),
  });
  return { plan, grid, spatial, margin };
}

/**
 * Calls `visit` with each tile's image on the GPU, in tile order, reading ahead two tiles.
 * With `cropToCore` (default) the visitor sees the core only; else the whole read box (after
 * the pipeline). The visitor owns nothing: images are released after it resolves.
 */
export async function visitTiles(
  input: LazyArray, vp: VisitPlan, options: GlobalOptions,
  visit: (image: GpuImage, tile: Tile, n: number) => Promise<void>,
  cropToCore = true,
): Promise<void> {
  const signal = runSignal(options.signal);
  const lead = input.ndim - vp.spatial;
  const order = vp.plan.tiles.map((_, n) => n);
  const readTile = tileReads(input, vp.plan.tiles, order);
  const reads = stage(order, 2, async (n: number) => {
    signal.throwIfAborted();
    return { n, pixels: await readTile(n) };
  });
  for await (const { n, pixels } of reads) {
    signal.throwIfAborted();
    const tile = vp.plan.tiles[n];
    const img = push(pixels.data, tile.read.size.slice(lead));
    const out = options.pipeline ? await options.pipeline(img) : img;
    let core = out;
    const inner = tile.inner.start.slice(lead);
    const size = tile.inner.size.slice(lead);
    if (cropToCore && (inner.some((s) => s > 0) || size.join() !== out.shape.join())) {
      const [x, y, z] = [inner[inner.length - 1], inner[inner.length - 2] ?? 0, inner[inner.length - 3] ?? 0];
      const [w, h, d] = [size[size.length - 1], size[size.length - 2] ?? 1, size[size.length - 3] ?? 1];
      core = crop(out, x, y, z, w, h, d);
    }
    try {
      await visit(core, tile, n);
    } finally {
      for (const i of new Set([img, out, core])) i.release();
    }
  }
}
