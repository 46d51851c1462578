/**
 * One timer for many connections: every `intervalMs` each member's tick() runs once.
 * A timer per connection would cost each of thousands of idle sockets its own timer
 * object and wake-up; this is one of each per replica. The members are the replica's
 * open connections of a kind, so it is also where they are counted and found.
 */
export class Ticker<T extends { tick(): void }> implements Iterable<T> {
  readonly #members = new Set<T>();
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.#timer = setInterval(() => {
      for (const member of this.#members) member.tick();
    }, intervalMs);
    this.#timer.unref();
  }

  get size(): number {
    return this.#members.size;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.#members.values();
  }

  add(member: T): void {
    this.#members.add(member);
  }

  delete(member: T): void {
    this.#members.delete(member);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#members.clear();
  }
}
