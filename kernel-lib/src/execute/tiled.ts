/**
 * The host-tiled executor: runs a pipeline of Tessera operations over an array larger than the
 * GPU (or the host), tile by tile. Each tile is read with the margin its pipeline needs (from
 * the operations' declared halos), pushed, processed, cropped to its core, pulled and written;
 * reading + decoding, the GPU work (upload, compute, download) and encoding + writing of
 * different tiles overlap through bounded queues. Tiles come from the one planner
 * (`plan/tiles.ts`); the same plan drives the local workers and the Slurm tasks (`workers.ts`,
 * `slurm.ts`), which run {@link runTiles} on their share.
 */
import { pull, push } from '../array/transfer';
import type { GpuImage } from '../array/gpu-image';
import type { HostImage } from '../array/transfer';
import { allocTypedArray, bytesPerPixel, type DType, type TypedArray } from '../dtype';
import { TesseraError } from '../errors';
import { memoryStats } from '../gpu/buffer-pool';
import { deviceInfo } from '../gpu/device';
import { LazyArray } from '../io/lazy-array';
import { ZarrArray, type ZarrCodecName } from '../io/zarr';
import { crop } from '../ops/transforms/crop';
import { ChunkGrid, product, type Box } from '../plan/box';
import { planTiles, type Tile, type TilePlan } from '../plan/tiles';
import { isGpuImage } from '../validate/arguments';
import { analysePipeline, type Pipeline, type PipelineAnalysis } from './analyse';
import { resolvePipeline, type PipelineLike, type PipelineSpec } from './pipeline';
import { Progress, type ProgressDisplayMode } from './progress';
import { runSignal } from './signal';
import { ioThreads } from '../io/codec-pool';
import { tileReads } from './tile-reader';
import { HostSink, openInput, prepareOutput, ZarrSink, type Input, type JobFingerprint, type Sink } from './sources';
import { stage } from './stages';
import type { SlurmOptions } from './slurm';

/** Options of {@link tiled}. */
export interface TiledOptions {
  /**
   * Pixels read beyond each tile's core: one number for every spatial axis, or (z, y, x) /
   * (y, x), or one per dimension of the input. Default: the pipeline's halo, summed from the
   * declared halos of the operations it calls. A smaller margin gives seams at tile borders.
   */
  margin?: number | readonly number[];
  /** Core size of a tile per dimension of the input (rounded up to whole output chunks). Default: from the budget. */
  tileShape?: readonly number[];
  /** GPU memory one tile may use (default: half the GPU memory budget, so that the next tile overlaps). */
  budgetBytes?: number;
  /** How many trailing dimensions are spatial (default: from the input's axes, e.g. `'tyx'` → 2, else up to 3). */
  spatialDims?: number;
  /** Chunks of a new Zarr output (default: the input's chunks). */
  chunks?: readonly number[];
  /** Compression of a new Zarr output (default `'blosc'`). */
  codec?: ZarrCodecName;
  /** Replace an existing output written by another job. */
  overwrite?: boolean;
  /** Skip the tiles an earlier, interrupted run of the same job finished (default true). */
  resume?: boolean;
  /** Where progress is shown (default `'auto'`: a notebook display in a kernel, a bar on a terminal). */
  progress?: ProgressDisplayMode;
  /** The job's name in the progress display and records. */
  label?: string;
  /** Stops the job between tiles (as a kernel interrupt does). */
  signal?: AbortSignal;
  /**
   * Tiles in flight in the read and the write stage (default: enough tiles that their chunks keep
   * the codec threads busy, 2 to 8; see {@link defaultDepth}).
   */
  depth?: number;
  /**
   * Bytes of decoded input chunks kept for later tiles, whose margins reach into them (default:
   * 4 GiB, at most an eighth of the host's memory; 0: each tile decodes all its chunks).
   */
  chunkCacheBytes?: number;
  /** Local worker processes (each with its own GPU where the host has several): see docs/tiling.md. */
  workers?: number;
  /** Run as a Slurm job array (see {@link SlurmOptions} in slurm.ts). */
  slurm?: SlurmOptions;
  /** Receives the run's statistics when it ends. */
  report?: (stats: TiledStats) => void;
}

/** What a run did and how long its stages were busy. */
export interface TiledStats {
  tiles: number;
  /** Tiles skipped because an earlier run had finished them. */
  tilesSkipped: number;
  tileShape: number[];
  margin: number[];
  /** Seconds, end to end. */
  seconds: number;
  /** Megabytes of input (the whole array's uncompressed pixels of the tiles run) per second. */
  mbPerSecond: number;
  /** Busy seconds summed over tiles: reading + decoding, on the GPU (upload, compute, download), encoding + writing. */
  stageSeconds: { read: number; gpu: number; write: number };
  /** Core pixels over read pixels of an interior tile (the margin's cost). */
  efficiency: number;
  executor: 'host' | 'workers' | 'slurm';
}

/** A planned job: the pipeline's analysis, the margin, the tiles. */
export interface JobPlan {
  analysis: PipelineAnalysis;
  margin: number[];
  plan: TilePlan;
  grid: ChunkGrid;
  spatial: number;
  outputDType: DType;
}

/** The spatial dimensions of an array: from its axis letters if known, else the last (up to) three. */
export function spatialDimsOf(input: LazyArray, given?: number): number {
  if (given !== undefined) {
    if (!Number.isInteger(given) || given < 1 || given > Math.min(3, input.ndim)) throw new TesseraError(`tiled: spatialDims must be 1 to ${Math.min(3, input.ndim)}; got ${given}`);
    return given;
  }
  if (input.axes) {
    let n = 0;
    for (let k = input.ndim - 1; k >= 0 && 'zyx'.includes(input.axes[k]); k--) n++;
    if (n > 0) return n;
  }
  return Math.min(3, input.ndim);
}

/** The margin per dimension of the input, from the halo (z, y, x) or the user's value. */
function marginOf(shape: readonly number[], spatial: number, halo: readonly number[], given: TiledOptions['margin']): number[] {
  const n = shape.length;
  const lead = n - spatial;
  const out = new Array<number>(n).fill(0);
  if (given === undefined) {
    for (let j = 0; j < spatial; j++) out[lead + j] = halo[3 - spatial + j];
    return out;
  }
  const ok = (m: unknown) => Number.isInteger(m) && (m as number) >= 0;
  if (typeof given === 'number') {
    if (!ok(given)) throw new TesseraError(`tiled: margin must be a whole number >= 0; got ${given}`);
    for (let j = 0; j < spatial; j++) out[lead + j] = given;
    return out;
  }
  if (!Array.isArray(given) || !given.every(ok) || (given.length !== spatial && given.length !== n)) {
    throw new TesseraError(`tiled: margin must be a whole number >= 0, ${spatial} of them (one per spatial axis) or ${n} (one per dimension); got ${JSON.stringify(given)}`);
  }
  if (given.length === n) return [...given];
  for (let j = 0; j < spatial; j++) out[lead + j] = given[j];
  return out;
}

/**
 * Analyses the pipeline and plans the tiles of a job over `input`, for an output chunk grid of
 * `chunks`. Refuses pipelines that cannot be tiled, naming the operation and what to use instead.
 */
export async function planJob(fn: Pipeline, input: LazyArray, chunks: readonly number[], options: TiledOptions, what = 'tiled'): Promise<JobPlan> {
  const spatial = spatialDimsOf(input, options.spatialDims);
  const analysis = await analysePipeline(fn, { shape: input.shape, dtype: input.dtype });
  if (analysis.notTileable) {
    throw new TesseraError(`${what}: the pipeline cannot be tiled: ${analysis.notTileable}. Over a time series, mapTimepoints runs any pipeline one whole time point at a time.`);
  }
  if (analysis.globalOperations.length) {
    throw new TesseraError(
      `${what}: the pipeline calls ${analysis.globalOperations.join(', ')}, which needs the whole image; a tile would see only itself. ` +
        `Use the tiled global operations instead (tiledConnectedComponentsLabeling, tiledThresholdOtsu, tiledStatistics, tiledLabelStatistics), or mapTimepoints for whole time points.`,
    );
  }
  if (!analysis.preservesShape) throw new TesseraError(`${what}: the pipeline changes the image's shape; tiled pipelines must return images of their input's shape (mapTimepoints takes any shape)`);
  const margin = marginOf(input.shape, spatial, analysis.halo, options.margin);
  const grid = new ChunkGrid(input.shape, chunks);
  const maxBinding = deviceInfo().limits.maxStorageBufferBindingSize;
  const budgetBytes = options.budgetBytes ?? memoryStats().budget / 2;
  if (!(budgetBytes > 0)) throw new TesseraError(`${what}: budgetBytes must be a positive number; got ${options.budgetBytes}`);
  const plan = planTiles({
    shape: input.shape,
    margin,
    grid,
    budgetBytes,
    bytesPerPixel: Math.max(analysis.bytesPerPixel, bytesPerPixel(input.dtype)),
    tileShape: options.tileShape,
    spatialDims: spatial,
    // One GPU buffer binds at most maxStorageBufferBindingSize bytes; intermediates may be 4 bytes a pixel.
    maxPixels: Math.floor(maxBinding / 4),
  });
  return { analysis, margin, plan, grid, spatial, outputDType: analysis.outputDType };
}

/** Busy seconds of the stages, summed over tiles. */
export interface StageTimes {
  read: number;
  gpu: number;
  write: number;
}

/** What {@link runTiles} needs. */
export interface TileRun {
  input: LazyArray;
  tiles: readonly Tile[];
  spatial: number;
  pipeline: Pipeline;
  sink: Sink;
  signal: AbortSignal;
  depth?: number;
  /** See {@link TiledOptions.chunkCacheBytes}. */
  chunkCacheBytes?: number;
  /** Called when a tile's core is written and recorded. */
  onTileDone?: (tileNumber: number, moved: { bytesRead: number; bytesWritten: number }) => void;
  times?: StageTimes;
}

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

/**
 * Tiles in flight per stage by default: a tile's core holds few chunks when they are large (2 in
 * the 8.6 GB benchmark), so 2 tiles would keep only 4 of 15 codec threads busy. Enough tiles that
 * their chunks cover the threads, at least 2 and at most 8 (memory: that many tiles per stage).
 */
export function defaultDepth(input: LazyArray, tiles: readonly Tile[]): number {
  const chunks = tiles.length ? Math.max(...tiles.slice(0, 8).map((t) => input.grid.chunksIn(t.core).length)) : 1;
  return Math.max(2, Math.min(8, Math.ceil(ioThreads() / chunks)));
}

/**
 * Runs the tiles numbered by `tileNumbers` (an array, or an async feed of a worker's driver):
 * read → GPU → write, each stage `depth` tiles deep. Resolves when every tile is written and
 * recorded; rejects with the first error (the signal's reason when interrupted).
 */
export async function runTiles(run: TileRun, tileNumbers: Iterable<number> | AsyncIterable<number>): Promise<void> {
  const { input, tiles, spatial, pipeline, sink, signal } = run;
  const depth = run.depth ?? defaultDepth(input, tiles);
  const times = run.times ?? { read: 0, gpu: 0, write: 0 };
  const lead = input.ndim - spatial;
  // Chunks shared by neighbouring tiles are decoded once; a worker's feed comes in about the plan's order.
  const readTile = tileReads(input, tiles, Array.isArray(tileNumbers) ? (tileNumbers as number[]) : tiles.map((_, n) => n), run.chunkCacheBytes);

  const reads = stage(tileNumbers, depth, async (n: number) => {
    signal.throwIfAborted();
    const tile = tiles[n];
    const t0 = process.hrtime.bigint();
    const pixels = await readTile(n);
    times.read += seconds(t0);
    return { n, pixels };
  });

  const onGpu = stage(reads, 1, async ({ n, pixels }: { n: number; pixels: HostImage }) => {
    signal.throwIfAborted();
    const tile = tiles[n];
    const t0 = process.hrtime.bigint();
    const img = push(pixels.data, tile.read.size.slice(lead));
    let out: GpuImage;
    try {
      out = (await pipeline(img)) as GpuImage;
    } catch (e) {
      img.release();
      throw e;
    }
    if (!isGpuImage(out)) throw new TesseraError(`tiled: the pipeline returned ${out === null ? 'null' : typeof out} for tile ${n}; it must return a GpuImage`);
    if (out.shape.join() !== img.shape.join()) {
      throw new TesseraError(`tiled: the pipeline turned the tile of shape [${img.shape}] into one of shape [${out.shape}]; tiled pipelines keep the shape`);
    }
    const inner = tile.inner.start.slice(lead);
    const size = tile.inner.size.slice(lead);
    const whole = inner.every((s) => s === 0) && size.join() === img.shape.join();
    let core = out;
    if (!whole) {
      const [x, y, z] = [inner[inner.length - 1], inner[inner.length - 2] ?? 0, inner[inner.length - 3] ?? 0];
      const [w, h, d] = [size[size.length - 1], size[size.length - 2] ?? 1, size[size.length - 3] ?? 1];
      core = crop(out, x, y, z, w, h, d);
      out.release(); // the crop was recorded first: it reads `out` before anything reuses its buffer
    }
    if (img !== out) img.release();
    // With codec workers the result lands in shared memory, and the workers cut the output's
    // chunks out of it themselves (ZarrArray.write), off the main thread.
    const into = ioThreads() > 0 ? allocTypedArray(core.dtype, core.size, true) : undefined;
    const pulled = pull(core, into).finally(() => core.release());
    pulled.catch(() => undefined);
    return { n, pulled, t0, bytesRead: pixels.data.byteLength };
  });

  const writes = stage(onGpu, depth, async ({ n, pulled, t0, bytesRead }) => {
    const { data } = await pulled;
    times.gpu += seconds(t0);
    const tile = tiles[n];
    const t1 = process.hrtime.bigint();
    await sink.write(tile.core, data as TypedArray);
    await sink.record(tile.core);
    times.write += seconds(t1);
    run.onTileDone?.(n, { bytesRead, bytesWritten: data.byteLength });
  });

  for await (const _ of writes) {
    // each tile is written and recorded inside the stage
  }
}

/** Default chunks of a new output: the input's (whole chunks of it read and write efficiently). */
function outputChunks(input: LazyArray, options: TiledOptions): number[] {
  if (options.chunks) return [...options.chunks];
  return input.chunks.map((c, k) => Math.min(c, input.shape[k]));
}

/** The identity of a job, to recognise a re-run of it. */
export function fingerprintOf(spec: PipelineSpec, input: LazyArray, margin: number[]): JobFingerprint {
  return {
    pipeline: 'source' in spec ? spec.source : `${spec.module}#${spec.export ?? 'default'}`,
    input: String(input).split('\n')[0],
    shape: [...input.shape],
    dtype: input.dtype,
    margin,
  };
}

/**
 * Runs `pipeline` over `input` tile by tile and writes the result to `output`: the path of a new
 * Zarr array (an existing one written by the same job is resumed), a `ZarrArray` opened for
 * writing, or nothing (the result is returned in host memory). Returns the output.
 *
 * The pipeline is a function `(image) => image` of Tessera operations, written as for an
 * in-memory image. Its margin and the tile size are chosen automatically (docs/tiling.md); the
 * pipeline must keep the shape and call no global operation (see the tiled global operations).
 * With `workers: n` the tiles go to n local processes, with `slurm: {...}` to a Slurm job array.
 *
 * @example
 * const removeBackground = (img) => tessera.topHatBox(tessera.gaussianBlur(img, 2, 2, 2), 10, 10, 0);
 * const out = await tessera.tiled(removeBackground, await tessera.openZarr('big.zarr'), 'background-removed.zarr');
 */
// The host-memory overload first: in notebooks (strict off) `undefined` is assignable to `string`.
export async function tiled(pipeline: PipelineLike, input: Input, output?: undefined, options?: TiledOptions): Promise<HostImage>;
export async function tiled(pipeline: PipelineLike, input: Input, output: string | ZarrArray, options?: TiledOptions): Promise<ZarrArray>;
export async function tiled(pipeline: PipelineLike, input: Input, output?: string | ZarrArray, options?: TiledOptions): Promise<ZarrArray | HostImage>;
export async function tiled(pipeline: PipelineLike, input: Input, output?: string | ZarrArray, options: TiledOptions = {}): Promise<ZarrArray | HostImage> {
  const what = 'tiled';
  const { fn, spec } = resolvePipeline(pipeline, what);
  const source = await openInput(input, what);
  for (const [name, value, least] of [['depth', options.depth, 1], ['chunkCacheBytes', options.chunkCacheBytes, 0]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= least)) throw new TesseraError(`${what}: options.${name} must be a whole number >= ${least}; got ${value}`);
  }
  const chunks = output instanceof ZarrArray ? output.chunks : outputChunks(source, options);
  const job = await planJob(fn, source, chunks, options, what);
  const fingerprint = fingerprintOf(spec, source, job.margin);

  let sink: Sink;
  let resumed = false;
  if (output === undefined) {
    if (options.workers || options.slurm) throw new TesseraError(`${what}: workers and Slurm tasks write to a Zarr output; pass its path`);
    sink = new HostSink(source.shape, job.outputDType);
  } else {
    let array: ZarrArray;
    if (typeof output === 'string') {
      ({ array, resumed } = await prepareOutput(output, source.shape, job.outputDType, fingerprint, { chunks, codec: options.codec, overwrite: options.overwrite, resume: options.resume }, what));
    } else if (output instanceof ZarrArray) {
      if (output.shape.join() !== source.shape.join() || output.dtype !== job.outputDType) {
        throw new TesseraError(`${what}: the output has shape [${output.shape}] and dtype ${output.dtype}; the pipeline writes [${source.shape}] ${job.outputDType}`);
      }
      array = output;
      resumed = options.resume === true;
    } else {
      throw new TesseraError(`${what}: output must be the path of a Zarr array to create, a ZarrArray opened for writing, or left out (result in host memory)`);
    }
    if (options.workers || options.slurm) {
      const { runDistributed } = await import('./distributed');
      await runDistributed({ fn, spec, input: source, output: array, job, options, resumed, what });
      return array;
    }
    sink = await ZarrSink.open(array, `tiled-${process.pid}-${Date.now().toString(36)}`, resumed);
  }

  const { plan } = job;
  const todo = plan.tiles.map((_, n) => n).filter((n) => !sink.done(plan.tiles[n].core));
  const skipped = plan.tiles.length - todo.length;
  const label = options.label ?? `${fn.name || 'pipeline'} over ${source.shape.join('×')}`;
  const progress = new Progress({
    label,
    tilesTotal: plan.tiles.length,
    tilesSkipped: skipped,
    display: options.progress,
    record: process.env.TESSERA_PROGRESS_DIR || options.progress === 'notebook' ? { jobId: `tiled-${process.pid}-${Date.now().toString(36)}` } : undefined,
  });
  const times = { read: 0, gpu: 0, write: 0 };
  const t0 = process.hrtime.bigint();
  try {
    await runTiles(
      { input: source, tiles: plan.tiles, spatial: job.spatial, pipeline: fn, sink, signal: runSignal(options.signal), depth: options.depth, chunkCacheBytes: options.chunkCacheBytes, times, onTileDone: (_, moved) => progress.tileDone(moved) },
      todo,
    );
  } catch (e) {
    const interrupted = (e as Error)?.name === 'InterruptedError' || (e as Error)?.name === 'AbortError';
    progress.finish(interrupted ? 'cancelled' : 'failed', e);
    throw e;
  }
  progress.finish('completed');
  const secs = seconds(t0);
  const inputBytes = todo.reduce((a, n) => a + product(plan.tiles[n].core.size), 0) * bytesPerPixel(source.dtype);
  options.report?.({
    tiles: plan.tiles.length,
    tilesSkipped: skipped,
    tileShape: plan.tileShape,
    margin: job.margin,
    seconds: secs,
    mbPerSecond: inputBytes / 1e6 / secs,
    stageSeconds: times,
    efficiency: plan.efficiency,
    executor: 'host',
  });
  return sink instanceof HostSink ? sink.image : (sink as ZarrSink).array;
}

export type { Box };
