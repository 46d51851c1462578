/**
 * One timer for many connections' credential expiries: a member's expire() runs once its
 * time has passed (at once if it already has), unless deleted first; never early, at most
 * two `resolutionMs` late, outside any request's context. Why not a timer per connection:
 * docs/architecture.md#what-an-idle-connection-holds
 */
export interface Expiring {
  expire(): void;
}

export class ExpiryWheel<T extends Expiring = Expiring> {
  readonly #resolutionMs: number;
  readonly #buckets = new Map<number, Set<T>>();
  /** Each member's bucket key, to delete or move it. */
  readonly #keys = new Map<T, number>();
  readonly #timer: NodeJS.Timeout;
  /** The smallest key of #buckets, or Infinity. */
  #oldest = Infinity;

  constructor(resolutionMs = 1_000) {
    this.#resolutionMs = resolutionMs;
    this.#timer = setInterval(() => this.#expireDue(), resolutionMs);
    this.#timer.unref();
  }

  /** Members waiting for their time. */
  get size(): number {
    return this.#keys.size;
  }

  /** Expires the member at `atMs` (a member added again moves to its new time). */
  add(member: T, atMs: number): void {
    this.delete(member);
    if (atMs <= Date.now()) {
      member.expire();
      return;
    }
    const key = Math.ceil(atMs / this.#resolutionMs);
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = new Set()));
    bucket.add(member);
    this.#keys.set(member, key);
    this.#oldest = Math.min(this.#oldest, key);
  }

  delete(member: T): void {
    const key = this.#keys.get(member);
    if (key === undefined) return;
    this.#keys.delete(member);
    const bucket = this.#buckets.get(key)!;
    bucket.delete(member);
    if (bucket.size === 0) this.#buckets.delete(key);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#buckets.clear();
    this.#keys.clear();
    this.#oldest = Infinity;
  }

  #expireDue(): void {
    const now = Math.floor(Date.now() / this.#resolutionMs);
    if (this.#oldest > now) return;
    const due: T[] = [];
    let oldest = Infinity;
    for (const [key, bucket] of this.#buckets) {
      if (key > now) {
        oldest = Math.min(oldest, key);
        continue;
      }
      this.#buckets.delete(key);
      for (const member of bucket) {
        this.#keys.delete(member);
        due.push(member);
      }
    }
    this.#oldest = oldest;
    for (const member of due) member.expire();
  }
}
