import { fromBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { KvEntry } from "@nats-io/kv";
import { LotOrder, LotSchema, LotStatus, type Lot } from "@gavel/proto/catalog/v1/catalog";
import type { MirrorTarget } from "../projection/kv-mirror.ts";
import { latestFirst, soonestFirst, type Listing } from "../api/page-token.ts";

export interface LotQuery {
  status: LotStatus;
  sellerId: string;
  winnerId: string;
  order: LotOrder;
}

/**
 * Every lot of the read model in memory, kept current by a KvMirror, for filtered and
 * sorted pages. Each catalog replica holds its own; it is fine for the tens of
 * thousands of lots a sample deployment has, and the place to swap in a search index
 * for more.
 */
export class LotIndex implements MirrorTarget<Lot> {
  readonly #lots = new Map<string, Lot>();

  decode(entry: KvEntry): Lot {
    return fromBinary(LotSchema, entry.value);
  }

  set(lotId: string, lot: Lot): void {
    this.#lots.set(lotId, lot);
  }

  delete(lotId: string): void {
    this.#lots.delete(lotId);
  }

  get(lotId: string): Lot | undefined {
    return this.#lots.get(lotId);
  }

  /**
   * Each entry with its lot, for lists of lots kept elsewhere (watches, bids). An entry
   * whose lot this index has not seen yet (milliseconds old) is left out until it has.
   */
  withLots<E extends { lotId: string }>(entries: readonly E[]): Array<E & { lot: Lot }> {
    return entries.flatMap((entry) => {
      const lot = this.#lots.get(entry.lotId);
      return lot ? [{ ...entry, lot }] : [];
    });
  }

  /** The lots that match the filters, in no particular order (see lotListing). */
  query(q: LotQuery): Lot[] {
    return [...this.#lots.values()].filter(
      (lot) =>
        (q.status === LotStatus.UNSPECIFIED || lot.status === q.status) &&
        (q.sellerId === "" || lot.sellerId === q.sellerId) &&
        (q.winnerId === "" || lot.winnerId === q.winnerId),
    );
  }
}

/**
 * ListLots' order: newest first by id (a UUIDv7, so the time is in it), or soonest end
 * first with the id breaking ties.
 */
export function lotListing(q: LotQuery): Listing<Lot> {
  const soonest = q.order === LotOrder.ENDING_SOONEST;
  return {
    key: ["lots", q.status, q.sellerId, q.winnerId, q.order],
    positionOf: (lot) => ({ at: soonest && lot.endsAt ? timestampMs(lot.endsAt) : 0, id: lot.id }),
    compare: soonest ? soonestFirst : latestFirst,
  };
}
