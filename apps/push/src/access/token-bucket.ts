/**
 * A token bucket per connection: `perSecond` messages on average, bursts up to twice
 * that. Cheap enough to run on every client message.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #capacity: number;
  #tokens: number;
  #at: number;

  constructor(perSecond: number, now = Date.now()) {
    this.#rate = perSecond / 1000;
    this.#capacity = perSecond * 2;
    this.#tokens = this.#capacity;
    this.#at = now;
  }

  take(now = Date.now()): boolean {
    // A wall clock stepped back (NTP) gives nothing back, and takes nothing either.
    const elapsed = Math.max(0, now - this.#at);
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#rate);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
