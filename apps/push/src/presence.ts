import type { KV } from "@nats-io/kv";
import type { Logger } from "@gavel/logging";

/** How long a change waits before it is written, so a burst of connects is one write. */
const FLUSH_DELAY_MS = 200;

/**
 * Who is connected where, in NATS KV: `user.<user>.<replica>` and `lot.<lot>.<replica>`,
 * each the number of this replica's connections for that user or listening to that lot.
 * Each replica writes only its own keys, renews them on a timer, and deletes them when
 * they drop to zero or it shuts down; the bucket's TTL (three renewals) removes the keys
 * of a replica that died without saying so. Readers sum over replicas.
 */
export class Presence {
  readonly #kv: KV;
  readonly #replica: string;
  readonly #logger: Logger;
  readonly #counts = new Map<string, number>();
  readonly #dirty = new Set<string>();
  #flushTimer: NodeJS.Timeout | undefined;
  #renewTimer: NodeJS.Timeout | undefined;

  constructor(kv: KV, replica: string, logger: Logger) {
    this.#kv = kv;
    this.#replica = replica;
    this.#logger = logger;
  }

  start(renewMs: number): void {
    this.#renewTimer = setInterval(() => {
      for (const key of this.#counts.keys()) this.#dirty.add(key);
      void this.#flush();
    }, renewMs);
    this.#renewTimer.unref();
  }

  userConnected(userId: string): void {
    this.#change(`user.${userId}`, +1);
  }

  userDisconnected(userId: string): void {
    this.#change(`user.${userId}`, -1);
  }

  lotWatched(lotId: string): void {
    this.#change(`lot.${lotId}`, +1);
  }

  lotUnwatched(lotId: string): void {
    this.#change(`lot.${lotId}`, -1);
  }

  /** Connections listening to a lot's feed, over every live replica. */
  viewers(lotId: string): Promise<number> {
    return this.#sum(`lot.${lotId}`);
  }

  /** The user's connections over every live replica. */
  connections(userId: string): Promise<number> {
    return this.#sum(`user.${userId}`);
  }

  /** Removes this replica's entries: it is leaving. */
  async stop(): Promise<void> {
    clearInterval(this.#renewTimer);
    clearTimeout(this.#flushTimer);
    await Promise.all(
      [...this.#counts.keys()].map((key) =>
        this.#kv.delete(`${key}.${this.#replica}`).catch(() => undefined),
      ),
    );
    this.#counts.clear();
  }

  #change(key: string, delta: number): void {
    const count = (this.#counts.get(key) ?? 0) + delta;
    if (count > 0) this.#counts.set(key, count);
    else this.#counts.delete(key);
    this.#dirty.add(key);
    this.#flushTimer ??= setTimeout(() => void this.#flush(), FLUSH_DELAY_MS);
  }

  async #flush(): Promise<void> {
    this.#flushTimer = undefined;
    const keys = [...this.#dirty];
    this.#dirty.clear();
    try {
      await Promise.all(
        keys.map((key) => {
          const count = this.#counts.get(key);
          const entry = `${key}.${this.#replica}`;
          return count ? this.#kv.put(entry, String(count)) : this.#kv.delete(entry);
        }),
      );
    } catch (err) {
      // The next renewal writes every live key again.
      this.#logger.warn({ err }, "presence update failed; retrying at the next renewal");
    }
  }

  async #sum(prefix: string): Promise<number> {
    let total = 0;
    const keys = await this.#kv.keys(`${prefix}.*`);
    for await (const key of keys) {
      const entry = await this.#kv.get(key);
      if (entry?.operation === "PUT") total += Number(entry.string()) || 0;
    }
    return total;
  }
}
