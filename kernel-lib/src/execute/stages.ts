/**
 * Stages connected by bounded queues: `stage(source, depth, step)` runs `step` on the items of
 * `source` with at most `depth` of them in flight and yields the results in order. Chained,
 * stages overlap (reading tile i + 2 while tile i + 1 is on the GPU and tile i is written) and
 * the depths bound the memory: an upstream stage runs ahead only as far as its depth allows.
 */
export async function* stage<T, R>(source: AsyncIterable<T> | Iterable<T>, depth: number, step: (item: T) => Promise<R> | R): AsyncGenerator<R> {
  const it = (Symbol.asyncIterator in source ? (source as AsyncIterable<T>)[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]()) as
    AsyncIterator<T> | Iterator<T>;
  const inFlight: Array<{ result: Promise<R>; settled: Promise<'head'> }> = [];
  let next: Promise<IteratorResult<T>> | undefined;
  let done = false;
  try {
    for (;;) {
      if (!done && !next && inFlight.length < depth) next = Promise.resolve(it.next());
      if (next) {
        // A live source (a worker's feed) may wait for more items: meanwhile, hand on what is finished.
        const first = inFlight.length ? await Promise.race([next, inFlight[0].settled]) : await next;
        if (first !== 'head') {
          next = undefined;
          if (first.done) done = true;
          else {
            const result = Promise.resolve().then(() => step(first.value));
            inFlight.push({ result, settled: result.then(() => 'head' as const, () => 'head' as const) });
          }
          continue;
        }
      }
      if (inFlight.length === 0) return;
      yield await inFlight.shift()!.result;
    }
  } finally {
    // On an error downstream or here: let the other steps settle before the caller goes on.
    await Promise.allSettled(inFlight.map((f) => f.result));
    if (!done) await it.return?.();
  }
}

/** An async queue fed from outside (messages of a job's driver); `close()` ends it. */
export class Feed<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  readonly #waiting: Array<(r: IteratorResult<T>) => void> = [];
  #closed = false;

  push(item: T): void {
    const w = this.#waiting.shift();
    if (w) w({ value: item, done: false });
    else this.#items.push(item);
  }

  close(): void {
    this.#closed = true;
    for (const w of this.#waiting.splice(0)) w({ value: undefined, done: true });
  }

  /** Items waiting to be taken. */
  get length(): number {
    return this.#items.length;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.#items.length) return Promise.resolve({ value: this.#items.shift()!, done: false });
        if (this.#closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.#waiting.push(resolve));
      },
    };
  }
}
