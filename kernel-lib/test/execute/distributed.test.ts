import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { GpuImage, TiledStats, ZarrArray } from '../../src';
import { assertClose } from '../support/assert';
import { randomPixels } from '../support/data';
import { setup } from '../support/gpu';

/**
 * Local worker processes and a real Slurm job array (Debian's slurmctld + slurmd on loopback,
 * .ci/slurm.sh) over a shared output Zarr: same output as the in-process run, killed workers and
 * cancelled tasks, resume.
 */
let tessera: Awaited<ReturnType<typeof setup>>;
const dir = mkdtempSync(join(tmpdir(), 'tessera-distributed-'));
const FIXTURES = join(__dirname, 'fixtures', 'pipelines.js');
const SHAPE = [24, 96, 96];
const CHUNKS = [8, 32, 32];
const pixels = randomPixels(SHAPE, 'uint16', 11, [0, 3000]);
let input: ZarrArray;
let expected: Float32Array;
const BUDGET = 1024 ** 2;

before(async () => {
  tessera = await setup();
  process.env.TESSERA_PROGRESS_DIR = join(dir, 'progress');
  const z = await tessera.createZarr(join(dir, 'in.zarr'), SHAPE, 'uint16', { chunks: CHUNKS });
  await z.write([0, 0, 0], pixels.data, SHAPE);
  input = await tessera.openZarr(join(dir, 'in.zarr'));
  const local = await tessera.tiled({ module: FIXTURES, export: 'blurMinimum' }, input, undefined, { budgetBytes: BUDGET });
  expected = (local as import('../../src').HostImage).data as Float32Array;
});
after(() => {
  delete process.env.TESSERA_PROGRESS_DIR;
  rmSync(dir, { recursive: true, force: true });
});

const read = async (path: string) => (await (await tessera.openZarr(path)).compute()).data;

test('local workers: two processes, a notebook-style function and a module pipeline, equal the in-process run', async () => {
  let stats: TiledStats | undefined;
  // A function's source travels to the workers; it may use `tessera` and its parameters only.
  const fn = (img: GpuImage) => tessera.minimumBox(tessera.gaussianBlur(img, 1, 1, 1), 1, 1, 1);
  await tessera.tiled(fn, input, join(dir, 'workers.zarr'), { workers: 2, budgetBytes: BUDGET, report: (s) => (stats = s) });
  assert.equal(stats!.executor, 'workers');
  assert.ok(stats!.tiles >= 4, `${stats!.tiles} tiles`);
  assertClose(await read(join(dir, 'workers.zarr')), expected, { what: 'workers vs in-process' });
  // Records from both workers, no two for one chunk (each tile once).
  const done = readdirSync(join(dir, 'workers.zarr', '.tessera', 'done'));
  assert.ok(done.filter((f) => f.includes('-worker-')).length >= 1);
  // A function that uses a notebook variable cannot run in a worker: the error says so.
  const sigma = 1;
  await assert.rejects(
    tessera.tiled((img: GpuImage) => tessera.gaussianBlur(img, sigma, sigma, sigma), input, join(dir, 'closure.zarr'), { workers: 1, budgetBytes: BUDGET }),
    /worker 0 .* failed: .*sigma is not defined/,
  );
});

test('a killed worker: its tiles are retried by a new worker; without retries the job fails and a re-run completes only the missing tiles', async () => {
  const pipeline = { module: FIXTURES, export: 'killedOnce' };
  process.env.TESSERA_TEST_KILL_MARKER = join(dir, 'killed-1');
  try {
    await tessera.tiled(pipeline, input, join(dir, 'retried.zarr'), { workers: 2, budgetBytes: BUDGET });
    assert.ok(existsSync(join(dir, 'killed-1')), 'a worker was killed');
    assertClose(await read(join(dir, 'retried.zarr')), expected, { what: 'after a retried worker' });

    process.env.TESSERA_TEST_KILL_MARKER = join(dir, 'killed-2');
    process.env.TESSERA_WORKER_RETRIES = '0';
    const out = join(dir, 'resumed.zarr');
    process.env.TESSERA_TEST_KILL_AFTER_RECORDS = join(out, '.tessera', 'done');
    await assert.rejects(tessera.tiled(pipeline, input, out, { workers: 1, budgetBytes: BUDGET }), /worker 0 .* was killed \(SIGKILL\) .* tiles are missing\. Run the same call again/);
    let stats: TiledStats | undefined;
    await tessera.tiled(pipeline, input, out, { workers: 1, budgetBytes: BUDGET, report: (s) => (stats = s) });
    assert.ok(stats!.tilesSkipped >= 2 && stats!.tilesSkipped < stats!.tiles, `re-run skipped ${stats!.tilesSkipped} of ${stats!.tiles}`);
    assertClose(await read(out), expected, { what: 'resumed after a killed worker' });
  } finally {
    delete process.env.TESSERA_TEST_KILL_MARKER;
    delete process.env.TESSERA_TEST_KILL_AFTER_RECORDS;
    delete process.env.TESSERA_WORKER_RETRIES;
  }
});

const slurmUp = (() => {
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' });
  return r.status === 0 && /idle|mixed|allocated/.test(r.stdout);
})();

test('Slurm: a job array equals the local run; a cancelled task is resubmitted and only its missing tiles run', { skip: slurmUp ? false : 'no Slurm test cluster: run `bash .ci/slurm.sh` as root' }, async () => {
  const fn = (img: GpuImage) => tessera.minimumBox(tessera.gaussianBlur(img, 1, 1, 1), 1, 1, 1);
  let stats: TiledStats | undefined;
  await tessera.tiled(fn, input, join(dir, 'slurm.zarr'), { slurm: { tasks: 2, partition: 'gpu', gres: 'gpu:1', memory: '1G', time: '00:10:00', pollSeconds: 0.5 }, budgetBytes: BUDGET, report: (s) => (stats = s) });
  assert.equal(stats!.executor, 'slurm');
  assertClose(await read(join(dir, 'slurm.zarr')), expected, { what: 'Slurm vs local' });
  const jobRecords = readdirSync(join(dir, 'progress')).map((j) => JSON.parse(readFileSync(join(dir, 'progress', j, 'job.json'), 'utf8')));
  const slurmJob = jobRecords.find((r) => r.slurmArrayJobId && r.finishedState === 'completed');
  assert.ok(slurmJob, 'the job record names the array and its end');
  assert.equal(JSON.parse(readFileSync(join(dir, 'progress', slurmJob.jobId, 'task-1.json'), 'utf8')).state, 'completed');

  // Cancel task 1 of a slow job once it has written a tile; the driver resubmits it.
  const out = join(dir, 'slurm-cancelled.zarr');
  const run = tessera.tiled({ module: FIXTURES, export: 'slowly' }, input, out, { slurm: { tasks: 2, retries: 1, pollSeconds: 0.5 }, budgetBytes: BUDGET, report: (s) => (stats = s) });
  let cancelled = '';
  const cancel = (async () => {
    for (let i = 0; i < 240 && !cancelled; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const done = existsSync(join(out, '.tessera', 'done')) ? readdirSync(join(out, '.tessera', 'done')).filter((f) => f.endsWith('-task-1.jsonl')) : [];
      if (done.length && readFileSync(join(out, '.tessera', 'done', done[0]), 'utf8').trim()) {
        const line = execFileSync('squeue', ['-h', '-r', '-o', '%i %j'], { encoding: 'utf8' }).split('\n').find((l) => l.includes('_1 '));
        if (line) {
          cancelled = line.split(' ')[0];
          execFileSync('scancel', [cancelled]);
        }
      }
    }
  })();
  await run;
  await cancel;
  assert.ok(cancelled, 'task 1 was cancelled while it ran');
  assertClose(await read(out), expected, { what: 'after a cancelled and resubmitted task' });
  const logs = readdirSync(join(out, '.tessera', 'jobs')).flatMap((j) => readdirSync(join(out, '.tessera', 'jobs', j)).filter((f) => f.startsWith('slurm-')));
  assert.ok(logs.length >= 3, `two tasks and one resubmission: ${logs.join(', ')}`);
  // Running it again finds nothing to do.
  await tessera.tiled({ module: FIXTURES, export: 'slowly' }, input, out, { slurm: { tasks: 2 }, budgetBytes: BUDGET, report: (s) => (stats = s) });
  assert.equal(stats!.tilesSkipped, stats!.tiles);
});
