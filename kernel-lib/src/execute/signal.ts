/**
 * The interrupt check point of the executors: every tile checks the signal of the run before it
 * is read and before it goes to the GPU, so that a kernel interrupt (the ■ button) or a caller's
 * `AbortSignal` stops a tiled job between tiles. What was written stays written and recorded, so
 * running the job again resumes it.
 */
import { interruptSignal } from '../abort';

/** The signal a run checks: the caller's and the kernel's interrupt, whichever aborts first. */
export function runSignal(signal?: AbortSignal): AbortSignal {
  const kernel = interruptSignal();
  return signal ? AbortSignal.any([signal, kernel]) : kernel;
}
