import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { jupyterRuntimeDirectory, progressDirectory, TaskProgress, writeJobRecord, writeTaskRecord, type TaskRecord } from '../../src/progress/records';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-progress-'));
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

test('the progress folder follows TESSERA_PROGRESS_DIR, else the Jupyter runtime dir', () => {
  assert.equal(progressDirectory({ TESSERA_PROGRESS_DIR: '/shared/p' }), '/shared/p');
  assert.equal(progressDirectory({ JUPYTER_RUNTIME_DIR: '/r' }), '/r/tessera/progress');
  assert.equal(jupyterRuntimeDirectory({ HOME: '/home/u', JUPYTER_DATA_DIR: '/d' }), '/d/runtime');
  if (process.platform === 'linux') {
    assert.equal(jupyterRuntimeDirectory({ HOME: '/home/u' }), '/home/u/.local/share/jupyter/runtime');
    assert.equal(jupyterRuntimeDirectory({ HOME: '/home/u', XDG_DATA_HOME: '/x' }), '/x/jupyter/runtime');
  }
});

test('job and task records are written as documented, one file per writer', () => {
  const dir = tmp();
  const job = writeJobRecord({ jobId: 'blur-1', label: 'gaussianBlur', tasks: 2, tilesTotal: 10, kernelId: 'k1' }, dir);
  assert.equal(job.version, 1);
  assert.equal(job.slurmArrayJobId, null);
  const again = writeJobRecord({ jobId: 'blur-1', label: 'gaussianBlur', tasks: 2, tilesTotal: 10, slurmArrayJobId: '77' }, dir);
  assert.equal(again.createdAt, job.createdAt, 'createdAt is kept');
  assert.deepEqual(read(path.join(dir, 'blur-1', 'job.json')), again);
  const task = writeTaskRecord({ jobId: 'blur-1', task: 1, state: 'running', tilesDone: 2, tilesTotal: 5, bytesRead: 100 }, dir);
  const onDisk: TaskRecord = read(path.join(dir, 'blur-1', 'task-1.json'));
  assert.deepEqual(onDisk, task);
  assert.equal(onDisk.startedAt !== null, true);
  assert.equal(onDisk.bytesWritten, 0);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'blur-1')).sort(), ['job.json', 'task-1.json'], 'no temporary files left');
});

test('task index and Slurm job id default to the Slurm environment', () => {
  const dir = tmp();
  const saved = { ...process.env };
  Object.assign(process.env, { SLURM_ARRAY_TASK_ID: '3', SLURM_JOB_ID: '81' });
  try {
    const r = writeTaskRecord({ jobId: 'j', state: 'pending', tilesDone: 0, tilesTotal: 4 }, dir);
    assert.equal(r.task, 3);
    assert.equal(r.slurmJobId, '81');
    assert.equal(r.startedAt, null, 'a pending task has not started');
  } finally {
    process.env = saved;
  }
});

test('bad fields give a TesseraError naming the field', () => {
  const dir = tmp();
  assert.throws(() => writeJobRecord({ jobId: '../x', tasks: 1, tilesTotal: 1 }, dir), { name: 'TesseraError', message: /jobId must be/ });
  assert.throws(() => writeJobRecord({ jobId: 'a', tasks: 0, tilesTotal: 1 }, dir), /tasks must be at least 1/);
  assert.throws(() => writeJobRecord({ jobId: 'a', tasks: 1, tilesTotal: -1 }, dir), /tilesTotal must be a non-negative integer/);
  assert.throws(() => writeTaskRecord({ jobId: 'a', state: 'done' as never, tilesDone: 0, tilesTotal: 1 }, dir), /state must be one of/);
  assert.throws(() => writeTaskRecord({ jobId: 'a', state: 'running', tilesDone: 3, tilesTotal: 2 }, dir), /tilesDone \(3\) exceeds tilesTotal \(2\)/);
  assert.throws(() => writeTaskRecord({ jobId: 'a', state: 'running', tilesDone: NaN, tilesTotal: 2 }, dir), /tilesDone must be/);
});

test('TaskProgress writes at most once per interval, and always at the end', () => {
  const dir = tmp();
  const p = new TaskProgress({ jobId: 'tp', task: 0, tilesTotal: 3 }, { dir, intervalMs: 60_000 });
  const file = path.join(dir, 'tp', 'task-0.json');
  assert.equal(read(file).state, 'running');
  p.tileDone({ bytesRead: 10, bytesWritten: 5 });
  assert.equal(read(file).tilesDone, 0, 'not written within the interval');
  assert.equal(p.current.tilesDone, 1);
  p.finish();
  const done = read(file);
  assert.equal(done.state, 'completed');
  assert.equal(done.tilesDone, 3);
  assert.equal(done.bytesRead, 10);
  const failing = new TaskProgress({ jobId: 'tp', task: 1, tilesTotal: 3 }, { dir });
  failing.fail(new Error('disk full'));
  assert.equal(read(path.join(dir, 'tp', 'task-1.json')).error, 'disk full');
});
