/**
 * The side of a worker process or a Slurm array task: `tessera-task worker <job.json>` (a local
 * worker: tiles arrive from the driver over the IPC channel, one or two ahead, so tiles are
 * assigned dynamically) or `tessera-task slurm <job.json>` (array task SLURM_ARRAY_TASK_ID takes
 * its share of the tiles; tiles already recorded in the output's WriteLog are skipped, so a
 * retried or re-run task does only what is missing). Started through `kernel-lib/bin/tessera-task.js`,
 * which passes the package's namespace (the pipeline's `tessera`).
 */
import type { Tile } from '../plan/tiles';
import { TesseraError } from '../errors';
import { listDevices, selectDevice, initDevice } from '../gpu/device';
import { openZarr } from '../io/zarr';
import { TaskProgress } from '../progress/records';
import { readJob, shareOf, type JobSpec } from './job';
import { loadPipeline } from './pipeline';
import { openInputRef, ZarrSink } from './sources';
import { Feed } from './stages';
import { runTiles } from './tiled';

/** Messages between a local worker and its driver. */
export type ToWorker = { type: 'tiles'; tiles: number[] } | { type: 'end' };
export type FromWorker =
  | { type: 'ready'; want: number }
  | { type: 'done'; tile: number; bytesRead: number; bytesWritten: number }
  | { type: 'error'; message: string };

/**
 * Opens the GPU this process should use: with several hardware adapters, the one numbered by
 * `TESSERA_ADAPTER_INDEX` (set by the local executor per worker) or by Slurm's
 * `GPU_DEVICE_ORDINAL` / `CUDA_VISIBLE_DEVICES` (one index: the GPU Slurm allocated); else the best.
 */
async function openDevice(): Promise<void> {
  const wanted = process.env.TESSERA_ADAPTER_INDEX ?? process.env.GPU_DEVICE_ORDINAL ?? process.env.CUDA_VISIBLE_DEVICES;
  const index = wanted !== undefined && /^\d+$/.test(wanted) ? Number(wanted) : undefined;
  if (index !== undefined) {
    const hardware = (await listDevices()).filter((d) => !d.isSoftware);
    if (hardware.length > 1) {
      await selectDevice(hardware[index % hardware.length].name);
      return;
    }
  }
  await initDevice();
}

async function open(spec: JobSpec, tessera: unknown, writer: string) {
  await openDevice();
  const input = await openInputRef(spec.input);
  const sink = await ZarrSink.open(await openZarr(spec.output, { mode: 'r+' }), writer, true);
  const pipeline = loadPipeline(spec.pipeline, tessera, 'tessera task');
  return { input, sink, pipeline };
}

function tileRun(spec: JobSpec, opened: Awaited<ReturnType<typeof open>>, onTileDone: (n: number, moved: { bytesRead: number; bytesWritten: number }) => void) {
  return { input: opened.input, tiles: spec.tiles as Tile[], spatial: spec.spatial, pipeline: opened.pipeline, sink: opened.sink, signal: new AbortController().signal, depth: spec.depth, onTileDone };
}

async function worker(spec: JobSpec, tessera: unknown): Promise<void> {
  const send = (m: FromWorker) => process.send!(m);
  const feed = new Feed<number>();
  process.on('message', (m: ToWorker) => {
    if (m.type === 'tiles') m.tiles.forEach((n) => feed.push(n));
    else feed.close();
  });
  // A driver that went away (killed, interrupted) ends its workers.
  process.on('disconnect', () => process.exit(3));
  const opened = await open(spec, tessera, `${spec.jobId}-worker-${process.pid}`);
  send({ type: 'ready', want: spec.depth + 2 });
  await runTiles(tileRun(spec, opened, (tile, moved) => {
    send({ type: 'done', tile, ...moved });
    send({ type: 'ready', want: 1 });
  }), feed);
}

async function slurmTask(spec: JobSpec, tessera: unknown): Promise<void> {
  const task = Number(process.env.SLURM_ARRAY_TASK_ID);
  if (!Number.isInteger(task) || task < 0 || task >= spec.tasks) throw new TesseraError(`tessera task: SLURM_ARRAY_TASK_ID is ${process.env.SLURM_ARRAY_TASK_ID}; expected 0..${spec.tasks - 1}`);
  const opened = await open(spec, tessera, `${spec.jobId}-task-${task}`);
  const share = shareOf(spec.tiles.length, task, spec.tasks);
  const todo = share.filter((n) => !opened.sink.done(spec.tiles[n].core));
  const progress = new TaskProgress({ jobId: spec.jobId, tilesTotal: share.length, task });
  progress.tileDone({ tiles: share.length - todo.length });
  try {
    await runTiles(tileRun(spec, opened, (_, moved) => progress.tileDone(moved)), todo);
  } catch (e) {
    progress.fail(e);
    throw e;
  }
  progress.finish();
}

/** Sends a last message to the driver (if any) and waits until it left, so that exiting loses nothing. */
function flushed(m: FromWorker): Promise<void> {
  if (!process.send || !process.connected) return Promise.resolve();
  return new Promise((resolve) => process.send!(m, undefined, {}, () => resolve()));
}

/** The entry point: `main(tessera, ['worker' | 'slurm', jobFile])`. */
export async function main(tessera: unknown, argv = process.argv.slice(2)): Promise<void> {
  const [mode, file] = argv;
  try {
    if ((mode !== 'worker' && mode !== 'slurm') || !file) throw new TesseraError('usage: tessera-task worker|slurm <job.json>');
    const spec = readJob(file);
    if (mode === 'worker') await worker(spec, tessera);
    else await slurmTask(spec, tessera);
    await flushed({ type: 'ready', want: 0 });
    process.exit(0);
  } catch (e) {
    const message = e instanceof Error ? `${e.name === 'TesseraError' ? '' : `${e.name}: `}${e.message}` : String(e);
    process.stderr.write(`tessera task failed: ${message}\n${e instanceof Error && e.name !== 'TesseraError' ? e.stack ?? '' : ''}\n`);
    await flushed({ type: 'error', message });
    process.exit(1);
  }
}
