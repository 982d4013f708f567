/**
 * The Slurm executor: the job's tiles as one job array (`sbatch --array`), task i processing
 * tiles i, i + n, i + 2n, ... into the shared output Zarr (whole chunks, atomic, recorded in the
 * WriteLog, so tasks never write one chunk and a re-run skips finished tiles). The driver watches
 * the array with `squeue`, shows the tasks' progress records (`progress/records.ts`, also read by
 * the GPU panel) as one progress display, resubmits the tasks that ended with tiles missing
 * (failed, cancelled, timed out, node lost) up to `retries` times, and returns when every tile is
 * written. Tasks need the same file system paths as the driver (input, output, this package).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TesseraError } from '../errors';
import { openZarr } from '../io/zarr';
import { progressDirectory, writeJobRecord, type TaskRecord } from '../progress/records';
import type { PreparedJob } from './distributed';
import { jobDirectory, shareOf, TASK_ENTRY } from './job';
import { Progress, type ProgressDisplayMode } from './progress';
import { ZarrSink } from './sources';

const run = promisify(execFile);

/** Options of the Slurm executor (`tiled(..., { slurm: { ... } })`). */
export interface SlurmOptions {
  /** Array tasks (default: 16, at most one per tile). Each processes a share of the tiles. */
  tasks?: number;
  /** `--partition`. */
  partition?: string;
  /** `--gres`, e.g. `'gpu:1'` (one GPU per task). */
  gres?: string;
  /** `--mem` per task, e.g. `'16G'`. */
  memory?: string;
  /** `--time` limit per task, e.g. `'01:00:00'`. */
  time?: string;
  /** `--cpus-per-task` (also the task's codec threads). */
  cpusPerTask?: number;
  /** `--array` throttle: at most this many tasks at once (`%N`). */
  maxRunning?: number;
  /** Resubmissions of tasks that ended with tiles missing (default 1). */
  retries?: number;
  /** Seconds between looks at the queue (default 2). */
  pollSeconds?: number;
  /** More sbatch arguments, e.g. `['--account=lab', '--qos=short']`. */
  extraArgs?: readonly string[];
  /** The Node.js the tasks run (default: this one, `process.execPath`). */
  node?: string;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

async function command(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(cmd, args, { encoding: 'utf8', maxBuffer: 16 * 1024 ** 2 })).stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new TesseraError(`tiled: ${cmd} is not installed here; the Slurm executor runs where Slurm's commands are (a login or Jupyter node of the cluster)`);
    throw new TesseraError(`tiled: ${cmd} ${args.join(' ')} failed: ${(err.stderr || err.message).trim()}`);
  }
}

/** Array indices as sbatch's `--array` list: `0-3,7,9-10`. */
function arrayList(tasks: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < tasks.length; ) {
    let j = i;
    while (j + 1 < tasks.length && tasks[j + 1] === tasks[j] + 1) j++;
    parts.push(i === j ? `${tasks[i]}` : `${tasks[i]}-${tasks[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function checkOptions(o: SlurmOptions): void {
  const word = /^[A-Za-z0-9_.:,=+%@/-]+$/;
  for (const key of ['partition', 'gres', 'memory', 'time'] as const) {
    if (o[key] !== undefined && (typeof o[key] !== 'string' || !word.test(o[key]!))) throw new TesseraError(`tiled: slurm.${key} must be a Slurm value such as ${{ partition: "'gpu'", gres: "'gpu:1'", memory: "'16G'", time: "'01:00:00'" }[key]}; got ${JSON.stringify(o[key])}`);
  }
  for (const key of ['tasks', 'cpusPerTask', 'maxRunning', 'retries'] as const) {
    const v = o[key];
    if (v !== undefined && (!Number.isInteger(v) || v < (key === 'retries' ? 0 : 1))) throw new TesseraError(`tiled: slurm.${key} must be a whole number ${key === 'retries' ? '>= 0' : '>= 1'}; got ${v}`);
  }
}

export async function runSlurm(job: PreparedJob, o: SlurmOptions, display?: ProgressDisplayMode): Promise<void> {
  checkOptions(o);
  const { spec, signal } = job;
  const dir = jobDirectory(spec.output, spec.jobId);
  const progressDir = progressDirectory();
  const recordDir = join(progressDir, spec.jobId);
  const sink = await ZarrSink.open(await openZarr(spec.output, { mode: 'r+' }), `${spec.jobId}-driver`, true);
  const missingOf = (task: number) => shareOf(spec.tiles.length, task, spec.tasks).filter((n) => !sink.done(spec.tiles[n].core));
  await sink.refresh();
  let pending = Array.from({ length: spec.tasks }, (_, i) => i).filter((i) => missingOf(i).length > 0);
  const skipped = spec.tiles.length - job.todo.length;
  const progress = new Progress({ label: job.label, tilesTotal: spec.tiles.length, tilesSkipped: skipped, display });
  let retries = o.retries ?? 1;
  let arrayId: string | null = null;
  const record = (finishedState?: 'completed' | 'failed' | 'cancelled') =>
    writeJobRecord({ jobId: spec.jobId, label: job.label, tasks: spec.tasks, tilesTotal: spec.tiles.length, slurmArrayJobId: arrayId, finishedState: finishedState ?? null }, progressDir);

  const submit = async (tasks: number[]): Promise<string> => {
    const args = [
      '--parsable', `--array=${arrayList(tasks)}${o.maxRunning ? `%${o.maxRunning}` : ''}`, `--job-name=${spec.jobId}`,
      `--output=${join(dir, 'slurm-%A_%a.out')}`,
      ...(o.partition ? [`--partition=${o.partition}`] : []), ...(o.gres ? [`--gres=${o.gres}`] : []),
      ...(o.memory ? [`--mem=${o.memory}`] : []), ...(o.time ? [`--time=${o.time}`] : []),
      ...(o.cpusPerTask ? [`--cpus-per-task=${o.cpusPerTask}`] : []), ...(o.extraArgs ?? []),
      `--export=ALL,TESSERA_PROGRESS_DIR=${progressDir}${o.cpusPerTask ? `,TESSERA_IO_THREADS=${Math.max(1, o.cpusPerTask - 1)}` : ''}`,
      `--wrap=exec ${JSON.stringify(o.node ?? process.execPath)} ${JSON.stringify(TASK_ENTRY)} slurm ${JSON.stringify(job.file)}`,
    ];
    const out = (await command('sbatch', args)).trim();
    const id = out.split(';')[0].trim();
    if (!/^\d+$/.test(id)) throw new TesseraError(`tiled: sbatch answered ${JSON.stringify(out)}, not a job id`);
    return id;
  };
  const tasksRecords = (): TaskRecord[] => {
    if (!existsSync(recordDir)) return [];
    return readdirSync(recordDir)
      .filter((f) => /^task-\d+\.json$/.test(f))
      .flatMap((f) => {
        try {
          return [JSON.parse(readFileSync(join(recordDir, f), 'utf8')) as TaskRecord];
        } catch {
          return []; // a record being replaced: read it next time
        }
      });
  };
  const logTail = (task: number): string => {
    try {
      const text = readFileSync(join(dir, `slurm-${arrayId}_${task}.out`), 'utf8').trim().split('\n');
      return text.slice(-5).join('\n');
    } catch {
      return '(no log)';
    }
  };

  try {
    while (pending.length > 0) {
      arrayId = await submit(pending);
      record();
      // Watch until no task of the array is queued or running.
      for (;;) {
        await sleep((o.pollSeconds ?? 2) * 1000, signal);
        if (signal.aborted) {
          await command('scancel', [arrayId]).catch(() => undefined);
          throw signal.reason;
        }
        const queued = (await command('squeue', ['-h', '-r', '-j', arrayId, '-o', '%i %T'])).trim();
        const records = tasksRecords();
        const doneByTasks = records.reduce((a, r) => a + r.tilesDone, 0);
        const fromRecords = new Set(records.map((r) => r.task));
        const notStarted = Array.from({ length: spec.tasks }, (_, i) => i).filter((i) => !fromRecords.has(i));
        const alreadyDone = notStarted.reduce((a, i) => a + shareOf(spec.tiles.length, i, spec.tasks).length - missingOf(i).length, 0);
        progress.set(doneByTasks + alreadyDone, records.reduce((a, r) => a + r.bytesRead, 0), records.reduce((a, r) => a + r.bytesWritten, 0));
        if (queued === '') break;
      }
      await sink.refresh();
      const failed = pending.filter((i) => missingOf(i).length > 0);
      if (failed.length === 0) break;
      if (retries-- <= 0) {
        const missing = failed.reduce((a, i) => a + missingOf(i).length, 0);
        throw new TesseraError(
          `tiled: Slurm array ${arrayId}: ${failed.length} task(s) ended with tiles missing (${missing} of ${spec.tiles.length} tiles): tasks ${failed.join(', ')}. ` +
            `Run the same call again to complete them (finished tiles are kept). Log of task ${failed[0]} (${join(dir, `slurm-${arrayId}_${failed[0]}.out`)}):\n${logTail(failed[0])}`,
        );
      }
      pending = failed;
    }
  } catch (e) {
    progress.finish(signal.aborted ? 'cancelled' : 'failed', e);
    record(signal.aborted ? 'cancelled' : 'failed');
    throw e;
  }
  progress.finish('completed');
  record('completed');
}
