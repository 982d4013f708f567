/**
 * The heartbeat helper process (see heartbeat.ts): `node heartbeat-process.js ADDRESS TIMEOUT_MS`.
 * Echoes every ping on a REP socket bound at ADDRESS. With TIMEOUT_MS > 0, sends SIGTERM to the
 * kernel (its parent) when no ping came for that long after an earlier one. Exits when the
 * kernel's IPC channel closes, i.e. when the kernel is gone.
 */
import * as zmq from 'zeromq';

const CHECK_MS = 500;

async function main(address: string, timeoutMs: number): Promise<void> {
  const socket = new zmq.Reply({ linger: 0 });
  try {
    await socket.bind(address);
  } catch (e) {
    process.send?.({ error: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
  process.send?.({ bound: true });
  process.on('disconnect', () => process.exit(0));
  let lastPing = 0;
  if (timeoutMs > 0) {
    setInterval(() => {
      if (lastPing > 0 && Date.now() - lastPing > timeoutMs) {
        console.error(`[tessera-kernel] exiting: no heartbeat for ${Math.round((Date.now() - lastPing) / 1000)} s`);
        process.kill(process.ppid, 'SIGTERM');
        process.exit(0);
      }
    }, CHECK_MS);
  }
  for await (const frames of socket) {
    lastPing = Date.now();
    await socket.send(frames);
  }
}

void main(process.argv[2], Number(process.argv[3]) || 0);
