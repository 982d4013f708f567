/**
 * Interrupts for long-running work: the Jupyter kernel's interrupt (the ■ button, `SIGINT`,
 * `interrupt_request`) aborts the current {@link interruptSignal}, and loops that check it stop.
 *
 * A long loop takes the signal once, when it starts, and checks it between steps; work that
 * started after an interrupt gets a fresh signal and runs normally:
 * ```ts
 * import { interruptSignal } from '../abort';
 * export async function iterateUntilStable(img: GpuImage, maxSteps: number) {
 *   const signal = interruptSignal();
 *   for (let step = 0; step < maxSteps; step++) {
 *     signal.throwIfAborted(); // throws an InterruptedError after an interrupt
 *     ...
 *     await sync();
 *   }
 * }
 * ```
 * Waiting on something that cannot check the signal itself: `await interruptible(promise)`.
 *
 * The kernel also makes every `await` written in a notebook cell interruptible, so cells need
 * none of this. Outside a kernel nothing interrupts and the signal never aborts.
 *
 * This module imports nothing, so that every layer of Tessera (GPU, operations, tiling, viewers)
 * can use it. The state lives on `globalThis`, shared by every copy of the module.
 */

/** The error a check of an aborted {@link interruptSignal} throws. */
export class InterruptedError extends Error {
  constructor(message = 'interrupted by the user (kernel interrupt)') {
    super(message);
    this.name = 'InterruptedError';
  }
}

const CURRENT = Symbol.for('tessera.abort.controller');

function controller(): AbortController {
  const g = globalThis as Record<symbol, AbortController | undefined>;
  return (g[CURRENT] ??= new AbortController());
}

/**
 * The signal of work starting now: aborted by the next interrupt, with an
 * {@link InterruptedError} as its `reason`. Take it when a loop starts, not at each step.
 */
export function interruptSignal(): AbortSignal {
  return controller().signal;
}

/**
 * Interrupts: aborts the current signal (so that every loop holding it stops at its next check)
 * and starts a fresh one for the work that follows. The Jupyter kernel calls this on interrupts.
 */
export function interrupt(reason: Error = new InterruptedError()): void {
  const g = globalThis as Record<symbol, AbortController | undefined>;
  const current = controller();
  g[CURRENT] = new AbortController();
  current.abort(reason);
}

/**
 * Waits for `value` unless `signal` aborts first, then throws the abort reason (an
 * {@link InterruptedError}). The awaited work itself goes on in the background.
 */
export function interruptible<T>(value: T | PromiseLike<T>, signal: AbortSignal = interruptSignal()): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(value).then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
