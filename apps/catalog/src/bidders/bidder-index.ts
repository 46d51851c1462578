import { fromBinary } from "@bufbuild/protobuf";
import type { KvEntry } from "@nats-io/kv";
import { keyPair } from "@gavel/nats";
import { BidderRecordSchema, type BidderRecord } from "@gavel/proto/catalog/v1/catalog";
import type { MirrorTarget } from "../projection/kv-mirror.ts";
import { NestedMap } from "../projection/nested-map.ts";

export interface BidderEntry {
  lotId: string;
  record: BidderRecord;
}

/** The catalog_bidders bucket in memory, kept current by a KvMirror: each user's lots. */
export class BidderIndex implements MirrorTarget<BidderRecord> {
  /** User, lot, record. */
  readonly #records = new NestedMap<BidderRecord>();

  decode(entry: KvEntry): BidderRecord {
    return fromBinary(BidderRecordSchema, entry.value);
  }

  /** Under a bidderKey(): the user, then the lot. Keys of any other shape are ignored. */
  set(key: string, record: BidderRecord): void {
    const pair = keyPair(key);
    if (pair) this.#records.set(...pair, record);
  }

  delete(key: string): void {
    const pair = keyPair(key);
    if (pair) this.#records.delete(...pair);
  }

  /** The user's lots, in no particular order. */
  of(userId: string): BidderEntry[] {
    return this.#records.entries(userId).map(([lotId, record]) => ({ lotId, record }));
  }
}
