import { describe, expect, it } from "vitest";
import type { PageTracing } from "./page-tracing.ts";
import { PendingBids } from "./pending-bids.ts";

const amount = { currency: "EUR", amountMinor: "1200" };

/** Tracing that records how each span ended. */
function recordingTracing() {
  const ended: unknown[] = [];
  const tracing: PageTracing = {
    start: () => ({
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      end: (outcome) => ended.push(outcome),
    }),
  };
  return { tracing, ended };
}

describe("bids waiting for the push gateway's answer", () => {
  it("keeps a bid's text, with its traceparent, to send again until it is answered", async () => {
    const { tracing, ended } = recordingTracing();
    const bids = new PendingBids(tracing);
    const { message, answer } = bids.add("7", "lot-1", "bid-1", amount);
    expect(JSON.parse(message)).toEqual({
      v: 1,
      type: "bid",
      id: "7",
      lotId: "lot-1",
      bidId: "bid-1",
      amount,
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    });
    expect(bids.messages()).toEqual([message]);
    bids.settle({ type: "ack", id: "7", result: { bid: {}, minimumNextBid: null } });
    expect(await answer).toEqual({
      ok: true,
      result: { bid: {}, minimumNextBid: null },
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    });
    expect(bids.messages()).toEqual([]);
    expect(ended).toEqual([{ attributes: { "gavel.ws.answer": "ack" } }]);
  });

  it("answers a refusal as an outcome, and marks only the system's own failures as errors", async () => {
    const { tracing, ended } = recordingTracing();
    const bids = new PendingBids(tracing);
    const low = bids.add("1", "lot-1", "bid-1", amount).answer;
    const down = bids.add("2", "lot-1", "bid-2", amount).answer;
    bids.settle({ type: "error", id: "1", code: "bid_too_low", message: "too low" });
    bids.settle({ type: "error", id: "2", code: "unavailable", message: "try again" });
    bids.settle({ type: "error", id: "3", code: "internal" });
    expect(await low).toMatchObject({ ok: false, code: "bid_too_low", message: "too low" });
    expect(await down).toMatchObject({ ok: false, code: "unavailable" });
    expect(ended).toEqual([
      { attributes: { "gavel.ws.answer": "bid_too_low" } },
      { attributes: { "gavel.ws.answer": "unavailable" }, error: "try again" },
    ]);
  });
});
