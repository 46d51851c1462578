import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { CATALOG_WATCHES_BUCKET, openBucket, watchKey } from "@gavel/nats";
import { isRevisionConflict } from "../projection/write-if-newer.ts";

/**
 * Watches in NATS KV (catalog_watches): one key per lot and user, holding when the
 * watch began. Both writes are idempotent, so a retried call changes nothing.
 */
export class WatchStore {
  readonly kv: KV;

  private constructor(kv: KV) {
    this.kv = kv;
  }

  static async open(nc: NatsConnection, replicas: number): Promise<WatchStore> {
    return new WatchStore(await openBucket(nc, CATALOG_WATCHES_BUCKET, { replicas }));
  }

  /** Create-only, so watching again keeps the time of the first watch. */
  async add(lotId: string, userId: string, now: Date): Promise<void> {
    try {
      await this.kv.create(watchKey(lotId, userId), String(now.getTime()));
    } catch (err) {
      if (!isRevisionConflict(err)) throw err; // already watched
    }
  }

  /** A delete marker, which drops the key out of every replica's WatchIndex. */
  async remove(lotId: string, userId: string): Promise<void> {
    await this.kv.delete(watchKey(lotId, userId));
  }
}
