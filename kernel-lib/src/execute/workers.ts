/**
 * Local workers: `n` processes on this host, each opening its own GPU (the n-th hardware adapter
 * where the host has several: `TESSERA_ADAPTER_INDEX`; else the one there is, e.g. lavapipe on
 * the CPU), and each with its share of the codec threads. Tiles are assigned dynamically: a
 * worker asks for more as it finishes tiles, so fast workers do more. A worker that dies (killed,
 * out of memory) has its unfinished tiles given to the others, up to `TESSERA_WORKER_RETRIES`
 * (default 2) times per job; after that the job fails, keeping every finished tile for a re-run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { TesseraError } from '../errors';
import { TASK_ENTRY } from './job';
import { Progress, type ProgressDisplayMode } from './progress';
import type { PreparedJob } from './distributed';
import type { FromWorker, ToWorker } from './task';

interface Worker {
  index: number;
  child: ChildProcess;
  assigned: Set<number>;
  ended: boolean;
  stderr: string;
}

export async function runWorkers(job: PreparedJob, count: number, display?: ProgressDisplayMode): Promise<void> {
  const { spec, todo, signal } = job;
  const queue = [...todo];
  const workerCount = Math.max(1, Math.min(count, queue.length));
  const ioThreads = Math.max(1, Math.floor((availableParallelism() - 1) / workerCount));
  let retries = Number(process.env.TESSERA_WORKER_RETRIES ?? 2);
  const progress = new Progress({
    label: job.label, tilesTotal: spec.tiles.length, tilesSkipped: spec.tiles.length - todo.length, display,
    record: { jobId: spec.jobId, tasks: 1 },
  });
  let remaining = queue.length;
  const workers = new Set<Worker>();
  let spawned = 0;

  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      for (const w of workers) w.child.kill('SIGTERM');
      if (error === undefined) {
        progress.finish('completed');
        resolve();
      } else {
        progress.finish(signal.aborted ? 'cancelled' : 'failed', error);
        reject(error);
      }
    };
    const onAbort = () => finish(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });

    const give = (w: Worker, want: number) => {
      const tiles = queue.splice(0, want);
      tiles.forEach((n) => w.assigned.add(n));
      if (tiles.length) w.child.send({ type: 'tiles', tiles } satisfies ToWorker);
      else if (!w.ended && w.assigned.size === 0) {
        w.ended = true;
        w.child.send({ type: 'end' } satisfies ToWorker);
      }
    };
    // A tile that comes back to the queue goes to a worker that has nothing left to do.
    const wakeIdle = () => {
      for (const w of workers) if (!w.ended && w.assigned.size === 0 && queue.length) give(w, 1);
    };

    const spawn = () => {
      const index = spawned++;
      const child = fork(TASK_ENTRY, ['worker', job.file], {
        env: { ...process.env, TESSERA_ADAPTER_INDEX: String(index % workerCount), TESSERA_IO_THREADS: String(ioThreads) },
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      });
      const w: Worker = { index, child, assigned: new Set(), ended: false, stderr: '' };
      workers.add(w);
      child.stderr!.on('data', (d: Buffer) => {
        w.stderr = (w.stderr + d.toString()).slice(-4000);
      });
      child.on('message', (m: FromWorker) => {
        if (settled) return;
        if (m.type === 'ready') {
          if (m.want > 0) give(w, m.want);
        } else if (m.type === 'done') {
          if (w.assigned.delete(m.tile)) remaining--;
          progress.tileDone({ bytesRead: m.bytesRead, bytesWritten: m.bytesWritten });
          if (remaining === 0) for (const other of workers) give(other, 0);
        } else if (m.type === 'error') {
          finish(new TesseraError(`tiled: worker ${w.index} (pid ${child.pid}) failed: ${m.message}`));
        }
      });
      child.on('exit', (code, sig) => {
        workers.delete(w);
        if (settled) return;
        if (code === 0 && w.assigned.size === 0) {
          if (remaining === 0 && workers.size === 0) finish();
          return;
        }
        // Died with tiles in hand: they go back to the queue.
        queue.unshift(...w.assigned);
        const how = sig ? `was killed (${sig})` : `exited with code ${code}`;
        if (retries-- > 0) {
          spawn();
          wakeIdle();
          return;
        }
        finish(new TesseraError(
          `tiled: worker ${w.index} (pid ${child.pid}) ${how} with ${w.assigned.size} tiles unfinished; ${remaining} of ${spec.tiles.length} tiles are missing. ` +
            `Run the same call again to complete them (finished tiles are kept).${w.stderr ? `\nIts last output:\n${w.stderr.trim()}` : ''}`,
        ));
      });
    };
    if (queue.length === 0) return finish();
    for (let i = 0; i < workerCount; i++) spawn();
  });
}
