/**
 * One timer for many connections: every `intervalMs` each member's tick() runs once.
 * A timer per connection would cost each of thousands of idle sockets its own timer
 * object and wake-up; this is one of each per replica.
 */
export class Ticker<T extends { tick(): void }> {
  readonly #members = new Set<T>();
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.#timer = setInterval(() => {
      for (const member of this.#members) member.tick();
    }, intervalMs);
    this.#timer.unref();
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
