import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { LotEventSchema, type LotEvent } from "@gavel/proto/lot/v1/lot_events";
import { describe, expect, it } from "vitest";
import { LotStateStore } from "./lot-state-store.ts";
import type { LotStream, StoredLotEvent } from "./lot-stream.ts";

const opened = create(LotEventSchema, {
  lotId: "lot1",
  kind: {
    case: "opened",
    value: {
      sellerId: "s",
      startingPrice: { currencyCode: "EUR", amountMinor: 100n },
      endsAt: timestampFromMs(60_000),
    },
  },
});
const bid = (sequence: number): LotEvent =>
  create(LotEventSchema, {
    lotId: "lot1",
    kind: {
      case: "bidAccepted",
      value: {
        bidId: `b${sequence}`,
        bidderId: `u${sequence}`,
        amount: { currencyCode: "EUR", amountMinor: BigInt(sequence) * 100n },
      },
    },
  });

/**
 * The reads of a replica that applies one more event each time it is asked: what a
 * follower of a clustered stream looks like right after the leader's appends.
 */
function laggingStream(events: Array<[number, LotEvent]>, visibleAtFirst: number) {
  let visible = visibleAtFirst;
  let reads = 0;
  const stream = {
    async *readAfter(_lotId: string, after: number): AsyncGenerator<StoredLotEvent> {
      reads++;
      for (const [sequence, event] of events.slice(0, visible))
        if (sequence > after) yield { sequence, event, storedAt: new Date(), headers: undefined };
      visible++;
    },
  };
  return { stream: stream as unknown as LotStream, reads: () => reads };
}

describe("LotStateStore.load", () => {
  const events: Array<[number, LotEvent]> = [
    [1, opened],
    [4, bid(4)],
    [7, bid(7)],
  ];

  it("reads again until the state holds the sequence asked for", async () => {
    const { stream, reads } = laggingStream(events, 1);
    const state = await new LotStateStore(stream).load("lot1", 7);
    expect(state?.version).toBe(7);
    expect(state?.bids.map((b) => b.sequence)).toEqual([4, 7]);
    expect(reads()).toBe(3);
  });

  it("answers what is stored with no sequence asked for, however far behind", async () => {
    const { stream, reads } = laggingStream(events, 1);
    expect((await new LotStateStore(stream).load("lot1"))?.version).toBe(1);
    expect(reads()).toBe(1);
  });

  it("fails, for the caller to retry later, when the read stays behind", async () => {
    const { stream } = laggingStream(events, 1);
    await expect(new LotStateStore(stream).load("lot1", 9)).rejects.toThrow(
      "lot lot1: the stream read is still behind sequence 9 (at 7); retry later",
    );
  });
});
