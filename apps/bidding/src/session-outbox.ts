/**
 * A session's bounded queue of messages for its client: producers wait for room, so a long
 * replay goes at the reader's pace and memory stays bounded; a client that takes nothing for
 * `stallMs` while it is full ends the session with `stalledError`, to resume later.
 * docs/architecture.md#services-and-their-state
 */
export class SessionOutbox<T> {
  readonly #limit: number;
  readonly #stallMs: number;
  readonly #stalledError: () => Error;
  #queue: T[] = [];
  /** Set once nothing more is taken: after the queue, the stream ends, with the error if any. */
  #end: { error: unknown } | undefined;
  #wakeTaker: (() => void) | undefined;
  /** Senders waiting for room, woken one per message taken (or all at the end). */
  #waitingSenders: Array<() => void> = [];
  #stallTimer: NodeJS.Timeout | undefined;

  constructor(limit: number, stallMs: number, stalledError: () => Error) {
    this.#limit = limit;
    this.#stallMs = stallMs;
    this.#stalledError = stalledError;
  }

  /** False once the outbox has ended: whatever is sent then is dropped. */
  get open(): boolean {
    return this.#end === undefined;
  }

  /**
   * Queues a message once there is room. Resolves false when the outbox ended instead
   * (the client stalled, went away, or the session closed): the message is dropped.
   */
  async send(message: T): Promise<boolean> {
    while (!this.#end && this.#queue.length >= this.#limit) {
      this.#stallTimer ??= this.#stallClock();
      await new Promise<void>((resolve) => this.#waitingSenders.push(resolve));
    }
    if (this.#end) return false;
    this.#queue.push(message);
    this.#wake();
    return true;
  }

  /** Ends the stream after the messages already queued (a clean end). */
  close(): void {
    this.#end ??= { error: undefined };
    this.#wake();
    this.#releaseSenders();
  }

  /** Ends the stream with an error, dropping what is queued: the client resumes. */
  fail(error: unknown): void {
    if (this.#end?.error) return;
    this.#end = { error };
    this.#queue = [];
    this.#wake();
    this.#releaseSenders();
  }

  /** The messages in order, then the end: returns, or throws the error it failed with. */
  async *drain(): AsyncGenerator<T> {
    for (;;) {
      const next = this.#queue.shift();
      if (next !== undefined) {
        this.#tookOne();
        yield next;
        continue;
      }
      if (this.#end) {
        if (this.#end.error) throw this.#end.error;
        return;
      }
      await new Promise<void>((resolve) => (this.#wakeTaker = resolve));
    }
  }

  /** The client read one: a waiting sender gets its room, and the stall clock restarts. */
  #tookOne(): void {
    clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
    this.#waitingSenders.shift()?.();
    // Senders still waiting wait on the reader again, from now.
    if (this.#waitingSenders.length > 0) this.#stallTimer = this.#stallClock();
  }

  #stallClock(): NodeJS.Timeout {
    return setTimeout(() => this.fail(this.#stalledError()), this.#stallMs);
  }

  #wake(): void {
    const wake = this.#wakeTaker;
    this.#wakeTaker = undefined;
    wake?.();
  }

  #releaseSenders(): void {
    clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
    for (const release of this.#waitingSenders.splice(0)) release();
  }
}
