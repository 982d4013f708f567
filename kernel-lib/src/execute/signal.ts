/**
 * The interrupt check point of the executors: every tile checks the signal of the run before it
 * is read and before it goes to the GPU, so that a kernel interrupt (the ■ button) or a caller's
 * `AbortSignal` stops a tiled job between tiles. What was written stays written and recorded, so
 * running the job again resumes it.
 *
 * CHECK POINT (for the lead): `abort.ts` (the kernel engineer's interrupt signal) is not in main
 * yet. Its state lives on `globalThis` under `Symbol.for('tessera.abort.controller')` by design
 * (shared by every copy of the module), so the same signal is read here without importing it.
 * Once `abort.ts` is merged, replace `kernelInterruptSignal` by `interruptSignal` from '../abort'.
 */
const CURRENT = Symbol.for('tessera.abort.controller');

/** The kernel's interrupt signal for work starting now (never aborted outside a kernel). */
function kernelInterruptSignal(): AbortSignal {
  const g = globalThis as Record<symbol, AbortController | undefined>;
  return (g[CURRENT] ??= new AbortController()).signal;
}

/** The signal a run checks: the caller's and the kernel's interrupt, whichever aborts first. */
export function runSignal(signal?: AbortSignal): AbortSignal {
  const kernel = kernelInterruptSignal();
  return signal ? AbortSignal.any([signal, kernel]) : kernel;
}
