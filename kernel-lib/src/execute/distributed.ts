/**
 * The driver side of the distributed executors: writes the job file (the planned tiles, the
 * pipeline as a module or as its source, input and output paths) and hands the tiles that are
 * not done yet to local worker processes ({@link runWorkers}) or to a Slurm job array
 * ({@link runSlurm}). Both resume: tiles recorded in the output's WriteLog are skipped.
 */
import type { LazyArray } from '../io/lazy-array';
import type { ZarrArray } from '../io/zarr';
import { product } from '../plan/box';
import { bytesPerPixel } from '../dtype';
import { TesseraError } from '../errors';
import type { Pipeline } from './analyse';
import { newJobId, writeJob, type JobSpec } from './job';
import type { PipelineSpec } from './pipeline';
import { runSignal } from './signal';
import { inputRef, ZarrSink } from './sources';
import type { JobPlan, TiledOptions, TiledStats } from './tiled';
import { runWorkers } from './workers';
import { runSlurm } from './slurm';

export interface DistributedRun {
  fn: Pipeline;
  spec: PipelineSpec;
  input: LazyArray;
  output: ZarrArray;
  job: JobPlan;
  options: TiledOptions;
  resumed: boolean;
  what: string;
}

/** What the executors share: the job file, the tiles still to do, the label. */
export interface PreparedJob {
  spec: JobSpec;
  file: string;
  todo: number[];
  label: string;
  signal: AbortSignal;
}

export async function runDistributed(run: DistributedRun): Promise<void> {
  const { options, job, output, input } = run;
  if (options.workers !== undefined && options.slurm !== undefined) throw new TesseraError(`${run.what}: choose workers or slurm, not both`);
  if (options.workers !== undefined && (!Number.isInteger(options.workers) || options.workers < 1 || options.workers > 256)) {
    throw new TesseraError(`${run.what}: workers must be a whole number from 1 to 256; got ${options.workers}`);
  }
  const jobId = newJobId();
  const label = options.label ?? `${run.fn.name || 'pipeline'} over ${input.shape.join('×')}`;
  const tiles = job.plan.tiles;
  const tasks = options.slurm ? Math.max(1, Math.min(tiles.length, options.slurm.tasks ?? 16)) : 1;
  const spec: JobSpec = {
    version: 1, jobId, label, input: inputRef(input, run.what), output: output.path, pipeline: run.spec,
    spatial: job.spatial, tiles, depth: options.depth ?? 2, tasks,
  };
  const file = writeJob(spec);
  const sink = await ZarrSink.open(output, `${jobId}-driver`, run.resumed);
  const todo = tiles.map((_, n) => n).filter((n) => !sink.done(tiles[n].core));
  const prepared: PreparedJob = { spec, file, todo, label, signal: runSignal(options.signal) };
  const t0 = process.hrtime.bigint();
  const executor = options.slurm ? 'slurm' : 'workers';
  if (options.slurm) await runSlurm(prepared, options.slurm, options.progress);
  else await runWorkers(prepared, options.workers!, options.progress);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const stats: TiledStats = {
    tiles: tiles.length,
    tilesSkipped: tiles.length - todo.length,
    tileShape: job.plan.tileShape,
    margin: job.margin,
    seconds: secs,
    mbPerSecond: (todo.reduce((a, n) => a + product(tiles[n].core.size), 0) * bytesPerPixel(input.dtype)) / 1e6 / secs,
    stageSeconds: { read: NaN, gpu: NaN, write: NaN },
    efficiency: job.plan.efficiency,
    executor,
  };
  options.report?.(stats);
}
