/**
 * The heartbeat worker thread (see heartbeat.ts): binds a REP socket and echoes every ping,
 * writing the time of each into shared memory for the kernel's watch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as zmq from 'zeromq';
import type { HeartbeatWorkerData } from './heartbeat';

async function echo({ address, lastPing }: HeartbeatWorkerData): Promise<void> {
  const times = new BigInt64Array(lastPing);
  const socket = new zmq.Reply({ linger: 0 });
  try {
    await socket.bind(address);
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
    return;
  }
  parentPort?.postMessage({ bound: true });
  for await (const frames of socket) {
    Atomics.store(times, 0, BigInt(Date.now()));
    await socket.send(frames);
  }
}

void echo(workerData as HeartbeatWorkerData);
