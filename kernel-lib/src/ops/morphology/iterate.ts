import { interruptSignal } from '../../abort';
import { acquireBuffer, releaseBuffer } from '../../gpu/buffer-pool';
import { recordClear } from '../../gpu/commands';
import { readBuffer } from '../../gpu/readback';

/**
 * Runs a monotone GPU iteration until a step changes nothing. `step(flag)` records one step
 * that sets the u32 at `flag` to non-zero when it changed anything. Steps are recorded in
 * growing batches (2, 4, ... 64); only the last step of a batch reports into the flag, which
 * is read back after the batch: a step without change means a fixed point was reached, and
 * the extra steps before it are harmless. Returns the number of steps recorded. @internal
 */
export async function iterateUntilStable(what: string, step: (flag: GPUBuffer) => void, maxSteps = 1 << 24): Promise<number> {
  const flag = acquireBuffer(4, `${what} change flag`);
  const signal = interruptSignal();
  let steps = 0;
  try {
    for (let batch = 2; ; batch = Math.min(batch * 2, 64)) {
      signal.throwIfAborted();
      for (let k = 0; k < batch - 1; k++) step(flag);
      recordClear(flag, 0, 4);
      step(flag);
      steps += batch;
      const changed = new Uint32Array(await readBuffer(flag, 4))[0];
      if (changed === 0 || steps >= maxSteps) return steps;
    }
  } finally {
    releaseBuffer(flag);
  }
}
