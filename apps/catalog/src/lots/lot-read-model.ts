import { fromBinary, toBinary } from "@bufbuild/protobuf";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { LotNotFoundError, type LotState, type LotStateStore } from "@gavel/lot-events";
import { CATALOG_LOTS_BUCKET, openBucket } from "@gavel/nats";
import { LotSchema, type Lot } from "@gavel/proto/catalog/v1/catalog";
import { lotView } from "./lot-view.ts";
import { writeIfNewer, type VersionedCodec } from "../projection/write-if-newer.ts";

const LOT_RECORD: VersionedCodec<Lot> = {
  encode: (lot) => toBinary(LotSchema, lot),
  decode: (bytes) => fromBinary(LotSchema, bytes),
  version: (lot) => lot.version,
};

/** A lot's record as just written or found, and the state it was folded to. */
export interface ProjectedLot {
  lot: Lot;
  state: LotState;
}

/**
 * Lots as the catalog serves them, in NATS KV, derived from each lot's event stream.
 * refresh() folds the stream and writes the record only when it is newer than what is
 * stored (see writeIfNewer), so any number of writers, in any order, leave the newest
 * version in place.
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
    return entry?.operation === "PUT" ? LOT_RECORD.decode(entry.value) : undefined;
  }

  /** get(), or LotNotFoundError (NOT_FOUND) for an unknown lot. */
  async require(lotId: string): Promise<Lot> {
    const lot = await this.get(lotId);
    if (!lot) throw new LotNotFoundError(lotId);
    return lot;
  }

  /** Brings a lot's record up to the latest event of its stream, and returns it. */
  /** `atLeast`: a sequence the fold must reach (see LotStateStore.load). */
  async refresh(lotId: string, atLeast = 0): Promise<Lot | undefined> {
    return (await this.project(lotId, atLeast))?.lot;
  }

  /**
   * refresh(), also handing back the folded state, for records derived from the same
   * fold (the projector's bidder records). The state is the store's live cache entry,
   * which other calls may have folded further by the time the caller reads it: still
   * one consistent version (state.version), just a newer one.
   */
  async project(lotId: string, atLeast = 0): Promise<ProjectedLot | undefined> {
    const state = await this.#states.load(lotId, atLeast);
    if (!state) return undefined;
    return { lot: await writeIfNewer(this.kv, lotId, lotView(state), LOT_RECORD), state };
  }
}
