/**
 * When a kernel whose client went away should exit, instead of living on as an orphan that holds
 * the GPU: the parent process that started it is gone (as ipykernel's parent poller decides it).
 * A kernel started without a known parent watches its heartbeat instead (heartbeat.ts).
 */

/** How often the parent is checked, in milliseconds. */
const PARENT_POLL_MS = 1000;

/**
 * Calls `onGone` once the process that started the kernel is gone. `JPY_PARENT_PID` (set by
 * jupyter_client) names it; when the kernel's parent is another process (a wrapper script), the
 * kernel exits when it is re-parented to init instead, as ipykernel does. Without
 * `JPY_PARENT_PID`, nothing is watched. Returns a function that stops watching.
 */
export function watchParent(onGone: (why: string) => void, parentPid = Number(process.env.JPY_PARENT_PID) || 0): () => void {
  if (!parentPid || parentPid === 1) return () => {};
  const watched = process.ppid === parentPid ? parentPid : 0;
  const timer = setInterval(() => {
    const ppid = process.ppid;
    if (watched ? ppid !== watched : ppid === 1) {
      clearInterval(timer);
      onGone(watched ? `parent process ${watched} exited` : 're-parented to init');
    }
  }, PARENT_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
