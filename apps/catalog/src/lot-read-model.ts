import { fromBinary, toBinary } from "@bufbuild/protobuf";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import type { LotStateStore } from "@gavel/lot-events";
import { CATALOG_LOTS_BUCKET, openBucket } from "@gavel/nats";
import { LotSchema, type Lot } from "@gavel/proto/catalog/v1/catalog";
import { lotView } from "./lot-view.ts";

const MAX_ATTEMPTS = 10;

/**
 * Lots as the catalog serves them, in NATS KV, derived from each lot's event stream.
 * refresh() folds the stream and writes the record only when it is newer than what is
 * stored (compare-and-set on the KV revision), so any number of writers, in any
 * order, leave the newest version in place.
 */
export class LotReadModel {
  readonly kv: KV;
  readonly #states: LotStateStore;

  private constructor(kv: KV, states: LotStateStore) {
    this.kv = kv;
    this.#states = states;
  }

  static async open(
    nc: NatsConnection,
    states: LotStateStore,
    replicas: number,
  ): Promise<LotReadModel> {
    return new LotReadModel(await openBucket(nc, CATALOG_LOTS_BUCKET, { replicas }), states);
  }

  async get(lotId: string): Promise<Lot | undefined> {
    const entry = await this.kv.get(lotId);
    return entry?.operation === "PUT" ? fromBinary(LotSchema, entry.value) : undefined;
  }

  /** Brings a lot's record up to the latest event of its stream, and returns it. */
  async refresh(lotId: string): Promise<Lot | undefined> {
    const state = await this.#states.load(lotId);
    if (!state) return undefined;
    const lot = lotView(state);
    const bytes = toBinary(LotSchema, lot);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await this.kv.get(lotId);
      try {
        if (entry?.operation !== "PUT") {
          await this.kv.create(lotId, bytes);
          return lot;
        }
        const stored = fromBinary(LotSchema, entry.value);
        if (stored.version >= lot.version) return stored;
        await this.kv.update(lotId, bytes, entry.revision);
        return lot;
      } catch (err) {
        if (!isRevisionConflict(err)) throw err;
      }
    }
    throw new Error(`read model of lot ${lotId} kept changing; giving up this refresh`);
  }
}

function isRevisionConflict(err: unknown): boolean {
  return err instanceof Error && /wrong last sequence|key exists/i.test(err.message);
}
