/**
 * Requests from a view to the kernel, at most one in flight per channel: while one is on its
 * way, a newer request waits, and a still newer one replaces it (the replaced one resolves to
 * `undefined`, "skipped"). Dragging a slider therefore sends the first and the latest position,
 * never a backlog of stale ones.
 */

/** What a channel delivers: the response and its binary buffers. */
export interface Reply<R> {
  response: R;
  buffers: DataView[];
}

interface Pending<Q, R> {
  request: Q;
  resolve: (reply: Reply<R> | undefined) => void;
  reject: (error: Error) => void;
}

let counter = Math.floor(Math.random() * 2 ** 30);

/**
 * Request ids, unique in the page and unlikely to collide with another page's: responses reach
 * every view of a model, in every browser tab connected to the kernel.
 */
export function nextRequestId(): number {
  counter = (counter + 1) % 2 ** 31;
  return counter;
}

/** Sends with an id; the channel matches the response by it. */
export type Send<Q> = (request: Q, id: number) => void;

export class RequestChannel<Q, R extends { id: number }> {
  private inFlight?: Pending<Q, R> & { id: number; timer?: ReturnType<typeof setTimeout> };
  private waiting?: Pending<Q, R>;

  /**
   * @param send transmits a request.
   * @param timeoutMs frees the channel when a response never comes (the kernel died or was
   *   restarted); the request then fails.
   */
  constructor(
    private readonly send: Send<Q>,
    private readonly timeoutMs = 60_000,
  ) {}

  /** Whether a request is on its way. */
  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  /**
   * Sends `request` now, or after the one in flight. Resolves with the reply, or with
   * `undefined` when a newer request replaced this one before it was sent.
   */
  request(request: Q): Promise<Reply<R> | undefined> {
    return new Promise((resolve, reject) => {
      const entry = { request, resolve, reject };
      if (this.inFlight) {
        this.waiting?.resolve(undefined);
        this.waiting = entry;
      } else {
        this.dispatch(entry);
      }
    });
  }

  /**
   * Offers a response; returns true when it answers this channel's request in flight (which then
   * resolves, and the waiting request, if any, is sent).
   */
  handle(response: R, buffers: DataView[]): boolean {
    const current = this.inFlight;
    if (!current || response.id !== current.id) return false;
    this.finish();
    current.resolve({ response, buffers });
    return true;
  }

  /** Drops what is in flight and waiting (e.g. when the view goes away). */
  cancel(): void {
    this.waiting?.resolve(undefined);
    this.waiting = undefined;
    const current = this.inFlight;
    if (current?.timer) clearTimeout(current.timer);
    this.inFlight = undefined;
    current?.resolve(undefined);
  }

  private dispatch(entry: Pending<Q, R>): void {
    const id = nextRequestId();
    const inFlight: NonNullable<typeof this.inFlight> = { ...entry, id };
    this.inFlight = inFlight;
    inFlight.timer = setTimeout(() => {
      if (this.inFlight !== inFlight) return;
      this.finish();
      inFlight.reject(new Error('the kernel did not answer (is it running?)'));
    }, this.timeoutMs);
    try {
      this.send(entry.request, id);
    } catch (e) {
      this.finish();
      entry.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Clears the request in flight and sends the waiting one. */
  private finish(): void {
    if (this.inFlight?.timer) clearTimeout(this.inFlight.timer);
    this.inFlight = undefined;
    const next = this.waiting;
    this.waiting = undefined;
    if (next) this.dispatch(next);
  }
}
