import type { KvEntry } from "@nats-io/kv";
import { keyPair } from "@gavel/nats";
import type { MirrorTarget } from "../projection/kv-mirror.ts";
import { NestedMap } from "../projection/nested-map.ts";

export interface Watch {
  lotId: string;
  /** When the watch began, in milliseconds since the epoch. */
  watchedAt: number;
}

/**
 * The catalog_watches bucket in memory, kept current by a KvMirror, both ways round:
 * a lot's watchers, for Lot.watcher_count, and a user's watches, for their watchlist.
 */
export class WatchIndex implements MirrorTarget<number> {
  /** Lot, user, watch time. */
  readonly #byLot = new NestedMap<number>();
  /** User, lot, watch time. */
  readonly #byUser = new NestedMap<number>();

  decode(entry: KvEntry): number {
    const ms = Number(entry.string());
    if (!Number.isSafeInteger(ms)) throw new Error(`not a watch time: ${entry.string()}`);
    return ms;
  }

  /** Under a watchKey(): the lot, then the user. Keys of any other shape are ignored. */
  set(key: string, watchedAt: number): void {
    const pair = keyPair(key);
    if (!pair) return;
    const [lotId, userId] = pair;
    this.#byLot.set(lotId, userId, watchedAt);
    this.#byUser.set(userId, lotId, watchedAt);
  }

  delete(key: string): void {
    const pair = keyPair(key);
    if (!pair) return;
    const [lotId, userId] = pair;
    this.#byLot.delete(lotId, userId);
    this.#byUser.delete(userId, lotId);
  }

  count(lotId: string): number {
    return this.#byLot.size(lotId);
  }

  /**
   * The count as it will be once this replica's index has seen the user's own change,
   * for answering that change before the watch delivers it.
   */
  countWith(lotId: string, userId: string, watching: boolean): number {
    const others = this.count(lotId) - (this.#byLot.has(lotId, userId) ? 1 : 0);
    return others + (watching ? 1 : 0);
  }

  /** The user's watches, in no particular order. */
  of(userId: string): Watch[] {
    return this.#byUser.entries(userId).map(([lotId, watchedAt]) => ({ lotId, watchedAt }));
  }
}
