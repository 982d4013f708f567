/**
 * Progress records of tiled / distributed jobs: small JSON files that the executor (the driver in
 * the kernel and every Slurm array task) writes and the JupyterLab GPU panel reads
 * (`tessera_jupyter/progress.py`). The format is documented in docs/progress-records.md.
 *
 * Layout: `<progress dir>/<jobId>/job.json` (written once by the driver, updated when the Slurm
 * array job id is known or the job ends) and `<progress dir>/<jobId>/task-<n>.json` (one per
 * array task, written only by that task), so that no two processes ever write one file. Files are
 * replaced atomically (write to a temporary name, then rename), so readers never see half a record.
 *
 * Dependency-free (Node's fs/os/path only), so array tasks can use it without the GPU stack.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TesseraError } from '../errors';

/** The version written in every record's `version` field; readers reject other versions. */
export const PROGRESS_RECORD_VERSION = 1;

/** States of an array task, as the executor knows them (Slurm's own state is read by the panel). */
export type TaskState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export const TASK_STATES: readonly TaskState[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];

/** `job.json`: one tiled job, local or submitted to Slurm as a job array. */
export interface JobRecord {
  version: typeof PROGRESS_RECORD_VERSION;
  /** The executor's id of the job; also the name of its folder (letters, digits, `.`, `_`, `-`). */
  jobId: string;
  /** What the job does, for people (e.g. "gaussianBlur σ=2 over cells.zarr"). */
  label: string;
  /** Slurm's array job id (`SLURM_ARRAY_JOB_ID`, what `sbatch --parsable` prints); null for local runs. */
  slurmArrayJobId: string | null;
  /** Number of array tasks (1 for a local run). */
  tasks: number;
  /** Tiles of the whole job. */
  tilesTotal: number;
  /** The Jupyter kernel that submitted it (its connection file's id), if any. */
  kernelId: string | null;
  /** Host and process id of the driver. */
  host: string;
  pid: number;
  /** ISO-8601 times. */
  createdAt: string;
  updatedAt: string;
  /** Set when the driver knows the whole job ended (completed, failed or cancelled); null while it runs. */
  finishedState: Exclude<TaskState, 'pending' | 'running'> | null;
}

/** `task-<n>.json`: one array task's progress. */
export interface TaskRecord {
  version: typeof PROGRESS_RECORD_VERSION;
  jobId: string;
  /** The array index (`SLURM_ARRAY_TASK_ID`), 0 for a local run. */
  task: number;
  /** This task's own Slurm job id (`SLURM_JOB_ID`), null for a local run. */
  slurmJobId: string | null;
  host: string;
  pid: number;
  state: TaskState;
  tilesDone: number;
  tilesTotal: number;
  /** Bytes read from and written to storage by this task so far. */
  bytesRead: number;
  bytesWritten: number;
  /** ISO-8601 times; startedAt is null until the task runs. */
  startedAt: string | null;
  updatedAt: string;
  /** The error that ended a failed task. */
  error: string | null;
}

const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The folder progress records go to: `$TESSERA_PROGRESS_DIR` if set (the executor passes it to its
 * array tasks; on a cluster it must be on a file system the compute nodes and the Jupyter server
 * share), else `<Jupyter runtime dir>/tessera/progress`, the Jupyter runtime dir being
 * `$JUPYTER_RUNTIME_DIR` or `<Jupyter data dir>/runtime` as jupyter_core defines them on Linux.
 */
export function progressDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TESSERA_PROGRESS_DIR) return env.TESSERA_PROGRESS_DIR;
  return path.join(jupyterRuntimeDirectory(env), 'tessera', 'progress');
}

/** jupyter_core's runtime dir on Linux/macOS: `$JUPYTER_RUNTIME_DIR`, else `<data dir>/runtime`. */
export function jupyterRuntimeDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_RUNTIME_DIR) return env.JUPYTER_RUNTIME_DIR;
  const home = env.HOME ?? os.homedir();
  const data =
    env.JUPYTER_DATA_DIR ??
    (process.platform === 'darwin'
      ? path.join(home, 'Library', 'Jupyter')
      : path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'jupyter'));
  return path.join(data, 'runtime');
}

function checkCount(value: unknown, name: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new TesseraError(`progress record: ${name} must be a non-negative integer; got ${String(value)}`);
  }
  return value as number;
}

function checkId(value: unknown, name: string): string {
  if (typeof value !== 'string' || !SAFE_ID.test(value)) {
    throw new TesseraError(`progress record: ${name} must be 1-128 letters, digits, '.', '_' or '-'; got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Writes `value` as JSON to `file` atomically (temporary file + rename in the same folder). */
function writeJsonAtomically(file: string, value: object): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 1)}\n`);
  fs.renameSync(tmp, file);
}

/** What a caller gives for a job record; the rest (version, host, pid, times) is filled in. */
export type JobRecordInput = Pick<JobRecord, 'jobId' | 'tasks' | 'tilesTotal'> &
  Partial<Pick<JobRecord, 'label' | 'slurmArrayJobId' | 'kernelId' | 'finishedState' | 'createdAt'>>;

/**
 * Writes (or rewrites) `<dir>/<jobId>/job.json` and returns the record written. Call it when the job
 * is planned, again with `slurmArrayJobId` once `sbatch` answered, and with `finishedState` at the end.
 * `createdAt` is kept from an existing record.
 */
export function writeJobRecord(input: JobRecordInput, dir: string = progressDirectory()): JobRecord {
  const jobId = checkId(input.jobId, 'jobId');
  const file = path.join(dir, jobId, 'job.json');
  const now = new Date().toISOString();
  let createdAt = input.createdAt;
  if (!createdAt) {
    try {
      createdAt = (JSON.parse(fs.readFileSync(file, 'utf8')) as JobRecord).createdAt;
    } catch {
      createdAt = now;
    }
  }
  if (input.finishedState != null && !['completed', 'failed', 'cancelled'].includes(input.finishedState)) {
    throw new TesseraError(`progress record: finishedState must be completed, failed or cancelled; got ${JSON.stringify(input.finishedState)}`);
  }
  const record: JobRecord = {
    version: PROGRESS_RECORD_VERSION,
    jobId,
    label: input.label ?? jobId,
    slurmArrayJobId: input.slurmArrayJobId == null ? null : checkId(String(input.slurmArrayJobId), 'slurmArrayJobId'),
    tasks: checkCount(input.tasks, 'tasks'),
    tilesTotal: checkCount(input.tilesTotal, 'tilesTotal'),
    kernelId: input.kernelId ?? null,
    host: os.hostname(),
    pid: process.pid,
    createdAt,
    updatedAt: now,
    finishedState: input.finishedState ?? null,
  };
  if (record.tasks < 1) throw new TesseraError(`progress record: tasks must be at least 1; got ${record.tasks}`);
  writeJsonAtomically(file, record);
  return record;
}

/** What a caller gives for a task record; task and slurmJobId default to Slurm's environment. */
export type TaskRecordInput = Pick<TaskRecord, 'jobId' | 'state' | 'tilesDone' | 'tilesTotal'> &
  Partial<Pick<TaskRecord, 'task' | 'slurmJobId' | 'bytesRead' | 'bytesWritten' | 'startedAt' | 'error'>>;

/**
 * Writes `<dir>/<jobId>/task-<task>.json` and returns the record written. `task` defaults to
 * `SLURM_ARRAY_TASK_ID` (else 0) and `slurmJobId` to `SLURM_JOB_ID`; `startedAt` defaults to now
 * for a running task. Each task writes only its own file.
 */
export function writeTaskRecord(input: TaskRecordInput, dir: string = progressDirectory()): TaskRecord {
  const jobId = checkId(input.jobId, 'jobId');
  if (!TASK_STATES.includes(input.state)) {
    throw new TesseraError(`progress record: state must be one of ${TASK_STATES.join(', ')}; got ${JSON.stringify(input.state)}`);
  }
  const task = checkCount(input.task ?? Number(process.env.SLURM_ARRAY_TASK_ID ?? 0), 'task');
  const tilesDone = checkCount(input.tilesDone, 'tilesDone');
  const tilesTotal = checkCount(input.tilesTotal, 'tilesTotal');
  if (tilesDone > tilesTotal) throw new TesseraError(`progress record: tilesDone (${tilesDone}) exceeds tilesTotal (${tilesTotal})`);
  const now = new Date().toISOString();
  const record: TaskRecord = {
    version: PROGRESS_RECORD_VERSION,
    jobId,
    task,
    slurmJobId: input.slurmJobId ?? process.env.SLURM_JOB_ID ?? null,
    host: os.hostname(),
    pid: process.pid,
    state: input.state,
    tilesDone,
    tilesTotal,
    bytesRead: checkCount(input.bytesRead ?? 0, 'bytesRead'),
    bytesWritten: checkCount(input.bytesWritten ?? 0, 'bytesWritten'),
    startedAt: input.startedAt ?? (input.state === 'pending' ? null : now),
    updatedAt: now,
    error: input.error ?? null,
  };
  writeJsonAtomically(path.join(dir, jobId, `task-${task}.json`), record);
  return record;
}

/**
 * Progress of one array task, written at most every `intervalMs` while tiles finish and always on
 * `finish`/`fail`: the executor's per-task helper.
 *
 * ```ts
 * const progress = new TaskProgress({ jobId, tilesTotal: tiles.length });
 * for (const tile of tiles) { ...; progress.tileDone({ bytesRead, bytesWritten }); }
 * progress.finish();
 * ```
 */
export class TaskProgress {
  private record: TaskRecord;
  private lastWrite = 0;

  constructor(
    init: Pick<TaskRecordInput, 'jobId' | 'tilesTotal' | 'task' | 'slurmJobId'>,
    private readonly options: { dir?: string; intervalMs?: number } = {},
  ) {
    this.record = writeTaskRecord({ ...init, state: 'running', tilesDone: 0 }, this.dir);
    this.lastWrite = Date.now();
  }

  private get dir(): string {
    return this.options.dir ?? progressDirectory();
  }

  /** The record as last computed (written or not). */
  get current(): Readonly<TaskRecord> {
    return this.record;
  }

  /** Counts finished tiles (default 1) and the bytes they moved; writes when the interval passed. */
  tileDone(moved: { tiles?: number; bytesRead?: number; bytesWritten?: number } = {}): void {
    const r = this.record;
    r.tilesDone = Math.min(r.tilesTotal, r.tilesDone + (moved.tiles ?? 1));
    r.bytesRead += moved.bytesRead ?? 0;
    r.bytesWritten += moved.bytesWritten ?? 0;
    if (Date.now() - this.lastWrite >= (this.options.intervalMs ?? 1000)) this.write('running');
  }

  /** Marks the task completed (all tiles done). */
  finish(): void {
    this.record.tilesDone = this.record.tilesTotal;
    this.write('completed');
  }

  /** Marks the task failed with the error that ended it. */
  fail(error: unknown): void {
    this.record.error = error instanceof Error ? error.message : String(error);
    this.write('failed');
  }

  private write(state: TaskState): void {
    const { jobId, task, slurmJobId, tilesDone, tilesTotal, bytesRead, bytesWritten, startedAt, error } = this.record;
    this.record = writeTaskRecord({ jobId, task, slurmJobId, state, tilesDone, tilesTotal, bytesRead, bytesWritten, startedAt, error }, this.dir);
    this.lastWrite = Date.now();
  }
}
