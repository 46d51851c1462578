import { fromBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { KV } from "@nats-io/kv";
import type { Logger } from "@gavel/logging";
import { LotOrder, LotSchema, LotStatus, type Lot } from "@gavel/proto/catalog/v1/catalog";

export interface LotQuery {
  status: LotStatus;
  sellerId: string;
  order: LotOrder;
}

/**
 * Every lot of the read model in memory, kept current by a KV watch, for filtered and
 * sorted pages. Each catalog replica holds its own; it is fine for the tens of
 * thousands of lots a sample deployment has, and the place to swap in a search index
 * for more.
 */
export class LotIndex {
  readonly #lots = new Map<string, Lot>();
  #ready = false;
  #stop: (() => void) | undefined;

  get ready(): boolean {
    return this.#ready;
  }

  async start(kv: KV, logger: Logger): Promise<void> {
    const status = await kv.status();
    if (status.values === 0) this.#ready = true;
    const watch = await kv.watch();
    this.#stop = () => watch.stop();
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation === "PUT")
          this.#lots.set(entry.key, fromBinary(LotSchema, entry.value));
        else this.#lots.delete(entry.key);
        if (entry.delta === 0) this.#ready = true;
      }
    })().catch((err: unknown) => logger.error({ err }, "lot index watch ended"));
  }

  stop(): void {
    this.#stop?.();
  }

  /** Matching lots in order, and the key that orders each, for cursors. */
  query(q: LotQuery): Lot[] {
    const matches = [...this.#lots.values()].filter(
      (lot) =>
        (q.status === LotStatus.UNSPECIFIED || lot.status === q.status) &&
        (q.sellerId === "" || lot.sellerId === q.sellerId),
    );
    return matches.sort((a, b) => compareLots(a, b, q.order));
  }
}

/** Newest first by id (a UUIDv7), or soonest end first with the id breaking ties. */
export function compareLots(a: Lot, b: Lot, order: LotOrder): number {
  if (order === LotOrder.ENDING_SOONEST) {
    const byEnd = endMs(a) - endMs(b);
    if (byEnd !== 0) return byEnd;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  }
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function endMs(lot: Lot): number {
  return lot.endsAt ? timestampMs(lot.endsAt) : 0;
}
