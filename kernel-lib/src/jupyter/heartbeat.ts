/**
 * The kernel's heartbeat: a worker thread echoes the pings on the heartbeat socket, so that the
 * kernel answers them also while a cell computes synchronously (as ipykernel's heartbeat
 * thread does) and clients do not take a busy kernel for a dead one. The worker records when
 * the last ping came; a kernel without a parent process to watch exits when pings that came
 * before stop coming.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** How often the time since the last ping is checked, in milliseconds. */
const CHECK_MS = 500;

/** What the worker (heartbeat-worker.ts) gets: the address to bind and where to write ping times. */
export interface HeartbeatWorkerData {
  address: string;
  /** One BigInt64: Date.now() of the last ping, 0 before the first. */
  lastPing: SharedArrayBuffer;
}

export class Heartbeat {
  private readonly worker: Worker;
  private readonly lastPing = new BigInt64Array(new SharedArrayBuffer(8));
  private timer: NodeJS.Timeout | undefined;

  private constructor(address: string) {
    const data: HeartbeatWorkerData = { address, lastPing: this.lastPing.buffer as SharedArrayBuffer };
    this.worker = new Worker(path.join(__dirname, 'heartbeat-worker.js'), { workerData: data });
    this.worker.unref();
  }

  /** Binds the heartbeat socket at `address` in a worker thread and starts echoing. */
  static async start(address: string): Promise<Heartbeat> {
    const heartbeat = new Heartbeat(address);
    await new Promise<void>((resolve, reject) => {
      heartbeat.worker.once('message', (m: { bound?: boolean; error?: string }) => (m.bound ? resolve() : reject(new Error(`heartbeat: ${m.error}`))));
      heartbeat.worker.once('error', reject);
    });
    return heartbeat;
  }

  /**
   * Calls `onGone` when no ping came for `timeoutMs` after an earlier one (jupyter_client pings
   * every second while its heartbeat channel runs). A client that never pings is never timed out.
   */
  watch(timeoutMs: number, onGone: (why: string) => void): void {
    this.timer = setInterval(() => {
      const last = Number(Atomics.load(this.lastPing, 0));
      if (last > 0 && Date.now() - last > timeoutMs) {
        clearInterval(this.timer);
        onGone(`no heartbeat for ${Math.round((Date.now() - last) / 1000)} s`);
      }
    }, CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    void this.worker.terminate();
  }
}
