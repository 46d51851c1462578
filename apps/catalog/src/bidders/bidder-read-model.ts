import { fromBinary, toBinary } from "@bufbuild/protobuf";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import type { LotState } from "@gavel/lot-events";
import { bidderKey, CATALOG_BIDDERS_BUCKET, openBucket } from "@gavel/nats";
import { BidderRecordSchema, type BidderRecord } from "@gavel/proto/catalog/v1/catalog";
import { bidderRecord } from "./bidder-record.ts";
import { writeIfNewer, type VersionedCodec } from "../projection/write-if-newer.ts";

const BIDDER_RECORD: VersionedCodec<BidderRecord> = {
  encode: (record) => toBinary(BidderRecordSchema, record),
  decode: (bytes) => fromBinary(BidderRecordSchema, bytes),
  version: (record) => record.version,
};

/**
 * Each user's part in each lot they bid on, in NATS KV (catalog_bidders), derived from
 * the lot's events like the lots' own read model and written the same way: only when
 * newer than what is stored. The projector writes a bidder's record when it projects
 * one of their bids; bids projected before this model existed have no record (no
 * backfill: a sample's lots are short-lived).
 */
export class BidderReadModel {
  readonly kv: KV;

  private constructor(kv: KV) {
    this.kv = kv;
  }

  static async open(nc: NatsConnection, replicas: number): Promise<BidderReadModel> {
    return new BidderReadModel(await openBucket(nc, CATALOG_BIDDERS_BUCKET, { replicas }));
  }

  /** Brings the bidder's record of the lot up to the state's version. */
  async refresh(state: LotState, bidderId: string): Promise<void> {
    const record = bidderRecord(state, bidderId);
    if (record)
      await writeIfNewer(this.kv, bidderKey(bidderId, state.lotId), record, BIDDER_RECORD);
  }
}
