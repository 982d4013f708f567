/**
 * The kernel's heartbeat, answered by a small process of its own (heartbeat-process.ts), so
 * that pings are echoed also while a cell computes synchronously, as ipykernel's heartbeat
 * thread does, and clients do not take a busy kernel for a dead one. (zeromq.js cannot run in a
 * worker thread: such a process aborts when it exits, zeromq/zeromq.js#411.)
 *
 * The helper ends when the kernel does (its IPC channel closes). With `timeoutMs`, it also
 * ends the kernel (SIGTERM) when pings that came before stop coming for that long: for a kernel
 * started without a parent process to watch.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export class Heartbeat {
  private constructor(private readonly helper: ChildProcess) {}

  /** Binds the heartbeat socket at `address` in the helper process and starts echoing. */
  static async start(address: string, timeoutMs?: number): Promise<Heartbeat> {
    const helper = fork(path.join(__dirname, 'heartbeat-process.js'), [address, String(timeoutMs ?? 0)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    await new Promise<void>((resolve, reject) => {
      helper.once('message', (m: { bound?: boolean; error?: string }) => (m.bound ? resolve() : reject(new Error(`heartbeat: ${m.error}`))));
      helper.once('error', reject);
      helper.once('exit', (code) => reject(new Error(`heartbeat process exited with ${code}`)));
    });
    helper.removeAllListeners();
    // Neither the helper nor its channel keeps the kernel alive.
    helper.unref();
    helper.channel?.unref();
    return new Heartbeat(helper);
  }

  /** Ends the helper (it also ends by itself when the kernel exits). */
  stop(): void {
    this.helper.kill();
  }
}
