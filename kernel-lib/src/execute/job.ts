/**
 * The job file a driver writes for its worker processes or Slurm tasks: everything a task needs
 * to process its tiles without the driver (input and output paths, the pipeline, the planned
 * tiles), as JSON at `<output>/.tessera/jobs/<jobId>/job.json`. On a cluster the output lies on
 * a file system the compute nodes share, and so does this file.
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TesseraError } from '../errors';
import type { Tile } from '../plan/tiles';
import type { PipelineSpec } from './pipeline';
import type { InputRef } from './sources';

export const JOB_VERSION = 1;

/** The entry point of a worker process or Slurm task: `node <TASK_ENTRY> worker|slurm <job.json>`. */
export const TASK_ENTRY = resolve(__dirname, '../../../bin/tessera-task.js');

export interface JobSpec {
  version: typeof JOB_VERSION;
  jobId: string;
  label: string;
  input: InputRef;
  /** The output Zarr array's directory. */
  output: string;
  pipeline: PipelineSpec;
  spatial: number;
  tiles: Tile[];
  depth: number;
  /** Slurm: the number of array tasks; task i takes tiles i, i + tasks, i + 2·tasks, ... */
  tasks: number;
}

/** A fresh job id: letters, digits and '-' (also a folder name and a Slurm job name). */
export function newJobId(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `tessera-${stamp}-${process.pid}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export function jobDirectory(output: string, jobId: string): string {
  return join(resolve(output), '.tessera', 'jobs', jobId);
}

/** Writes the job file (atomically) and returns its path. */
export function writeJob(spec: JobSpec): string {
  const dir = jobDirectory(spec.output, spec.jobId);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'job.json');
  writeFileSync(`${file}.tmp`, JSON.stringify(spec));
  renameSync(`${file}.tmp`, file);
  return file;
}

export function readJob(file: string): JobSpec {
  let spec: JobSpec;
  try {
    spec = JSON.parse(readFileSync(file, 'utf8')) as JobSpec;
  } catch (e) {
    throw new TesseraError(`tessera task: cannot read the job file ${file}: ${(e as Error).message}`);
  }
  if (spec.version !== JOB_VERSION) throw new TesseraError(`tessera task: ${file} is a job file of version ${spec.version}; this Tessera reads version ${JOB_VERSION}`);
  return spec;
}

/** The tiles of Slurm task `task` of `tasks` (a static share, round robin, so each task gets tiles from everywhere). */
export function shareOf(tileCount: number, task: number, tasks: number): number[] {
  const out: number[] = [];
  for (let n = task; n < tileCount; n += tasks) out.push(n);
  return out;
}
