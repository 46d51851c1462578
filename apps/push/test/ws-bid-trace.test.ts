import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { OTLP_SPAN_KIND, type ReceivedSpan } from "@gavel/testing";
import { TestSocket } from "./ws-client.ts";
import {
  bid,
  bidder,
  clientContext,
  PLACE_BID,
  spansWhere,
  traceIdOf,
  useWsTraceStack,
} from "./ws-trace-stack.ts";

/** The span of a bid over the WebSocket, and the trace context its client may send. */
const traced = useWsTraceStack();

/**
 * Bids as a new user offering a span of its own in someone else's trace, and answers the
 * bid's span, checked to be refused as a parent: a new root linked to the offer.
 */
async function bidInTraceOfOthers(baseUrl: string, lotId: string, amount: number, traceId: string) {
  const socket = await bidder(baseUrl);
  const offered = clientContext(traceId);
  expect(await bid(socket, lotId, amount, offered.traceparent)).toMatchObject({ type: "ack" });
  socket.close();
  const [span] = await spansWhere(
    traced,
    (s) => s.name === "ws bid" && s.links.some((l) => l.spanId === offered.spanId),
    1,
  );
  expect(span!.traceId).not.toBe(traceId);
  expect(span!.parentSpanId).toBe("");
  expect(span!.links).toEqual([{ traceId, spanId: offered.spanId }]);
  expect(span!.attributes).toMatchObject({
    "gavel.trace.parent_refused": "server_trace",
    "gavel.ws.answer": "ack",
  });
  return span!;
}

describe("a bid over the WebSocket", () => {
  it("is a server span under the client's traceparent, with the call to bidding beneath it", async () => {
    const lotId = await traced.stack.newLot();
    const socket = await bidder(traced.stack.replicas[0]!.rpcUrl);
    const offered = clientContext();
    expect(await bid(socket, lotId, 1200, offered.traceparent)).toMatchObject({ type: "ack" });
    socket.close();

    const inTrace = (s: ReceivedSpan) => s.traceId === offered.traceId;
    const [handled] = await spansWhere(
      traced,
      (s) =>
        inTrace(s) &&
        s.service === "bidding" &&
        s.kind === OTLP_SPAN_KIND.server &&
        s.name === PLACE_BID,
      1,
    );
    const [message] = await spansWhere(traced, (s) => inTrace(s) && s.name === "ws bid", 1);
    const [call] = await spansWhere(
      traced,
      (s) =>
        inTrace(s) &&
        s.service === "push" &&
        s.kind === OTLP_SPAN_KIND.client &&
        s.name === PLACE_BID,
      1,
    );
    expect(message!.kind).toBe(OTLP_SPAN_KIND.server);
    expect(message!.parentSpanId).toBe(offered.spanId);
    expect(message!.links).toEqual([]);
    expect(message!.attributes).toEqual({
      "network.protocol.name": "websocket",
      "gavel.ws.message.type": "bid",
      "gavel.lot.id": lotId,
      "gavel.push.replica": "push-a",
      "gavel.ws.answer": "ack",
    });
    expect(call!.parentSpanId).toBe(message!.spanId);
    expect(handled!.parentSpanId).toBe(call!.spanId);
  });

  it("starts a trace of its own when its traceparent is malformed, and is placed all the same", async () => {
    const lotId = await traced.stack.newLot();
    const { traceId, spanId, traceparent } = clientContext();
    const malformed: unknown[] = [
      42,
      { traceId, spanId },
      "",
      `00-${traceId}-${spanId}`,
      `00-${traceId.toUpperCase()}-${spanId}-01`,
      `00-${"0".repeat(32)}-${spanId}-01`,
      traceparent.repeat(40),
    ];
    for (const [i, value] of malformed.entries()) {
      const socket = await bidder(traced.stack.replicas[i % 2]!.rpcUrl);
      const answer = await bid(socket, lotId, 1200 + 200 * i, value);
      expect(answer, JSON.stringify(value)).toMatchObject({ type: "ack" });
      socket.close();
    }

    const bids = await spansWhere(
      traced,
      (s) => s.name === "ws bid" && s.attributes["gavel.lot.id"] === lotId,
      malformed.length,
    );
    for (const span of bids) {
      expect(span.parentSpanId).toBe("");
      expect(span.links).toEqual([]);
      expect(span.attributes["gavel.ws.answer"]).toBe("ack");
      expect(span.attributes).not.toHaveProperty("gavel.trace.parent_refused");
    }
    expect(new Set(bids.map((s) => s.traceId)).size).toBe(malformed.length);
    expect(traced.receiver.spans.filter((s) => s.traceId === traceId)).toEqual([]);
  });

  it("never joins another user's trace: a new root linked to the context offered, on either feed mode", async () => {
    const lotId = await traced.stack.newLot();
    const channel = `lot:${lotId}`;
    // A watcher on each replica: each has delivered Alice's event before Bob offers its trace.
    const watchers = await Promise.all(traced.stack.replicas.map((r) => TestSocket.open(r.rpcUrl)));
    for (const watcher of watchers) await watcher.subscribe(channel);
    const alice = await bidder(traced.stack.replicas[0]!.rpcUrl);
    const aliceContext = clientContext();
    expect(await bid(alice, lotId, 1200, aliceContext.traceparent)).toMatchObject({ type: "ack" });
    alice.close();
    const frames = await Promise.all(watchers.map((w) => w.waitForEvents(channel, 1)));
    const aliceTrace = traceIdOf(frames[0]![0]);
    expect(aliceTrace).toBe(aliceContext.traceId);
    expect(traceIdOf(frames[1]![0])).toBe(aliceTrace);

    // Bob, on each replica (each feed mode), offers Alice's trace.
    for (const [i, replica] of traced.stack.replicas.entries()) {
      const span = await bidInTraceOfOthers(replica.rpcUrl, lotId, 1400 + 200 * i, aliceTrace);
      expect(span.attributes["gavel.push.replica"]).toBe(i === 0 ? "push-a" : "push-b");
      // His bid goes on in his own trace, down to bidding.
      const [call] = await spansWhere(
        traced,
        (s) =>
          s.traceId === span.traceId && s.kind === OTLP_SPAN_KIND.client && s.name === PLACE_BID,
        1,
      );
      expect(call!.parentSpanId).toBe(span.spanId);
      await spansWhere(
        traced,
        (s) =>
          s.service === "bidding" &&
          s.kind === OTLP_SPAN_KIND.server &&
          s.parentSpanId === call!.spanId,
        1,
      );
    }
    // Alice's trace holds one bid: hers.
    const inAlices = (service: string, name: string) =>
      traced.receiver.spans.filter(
        (s) => s.traceId === aliceTrace && s.service === service && s.name === name,
      );
    expect(inAlices("push", "ws bid")).toHaveLength(1);
    expect(inAlices("bidding", PLACE_BID)).toHaveLength(1);
    for (const watcher of watchers) watcher.close();
  });

  it("never joins the trace of an event a shared feed dropped, for a lot nobody on its replica watches", async () => {
    const [watchedHere, watchedThere] = [await traced.stack.newLot(), await traced.stack.newLot()];
    // push-b's lot feed runs for another lot; the traced lot is followed on push-a only.
    const onB = await TestSocket.open(traced.stack.replicas[1]!.rpcUrl);
    await onB.subscribe(`lot:${watchedThere}`);
    const onA = await TestSocket.open(traced.stack.replicas[0]!.rpcUrl);
    await onA.subscribe(`lot:${watchedHere}`);
    await traced.stack.bid(watchedHere, randomUUID(), 1200n);
    const eventTrace = traceIdOf((await onA.waitForEvents(`lot:${watchedHere}`, 1))[0]);
    // push-b's one consumer is in stream order: past this event, it has dropped the first.
    await traced.stack.bid(watchedThere, randomUUID(), 1200n);
    await onB.waitForEvents(`lot:${watchedThere}`, 1);

    await bidInTraceOfOthers(traced.stack.replicas[1]!.rpcUrl, watchedHere, 1400, eventTrace);
    onA.close();
    onB.close();
  });

  it("never joins the trace of an event its replica only replayed from storage", async () => {
    const lotId = await traced.stack.newLot();
    const channel = `lot:${lotId}`;
    const onB = await TestSocket.open(traced.stack.replicas[1]!.rpcUrl);
    await onB.subscribe(channel);
    await traced.stack.bid(lotId, randomUUID(), 1200n);
    const eventTrace = traceIdOf((await onB.waitForEvents(channel, 1))[0]);
    // push-a follows the lot only now: the event reaches it by replay.
    const late = await TestSocket.open(traced.stack.replicas[0]!.rpcUrl);
    await late.subscribe(channel, 0);
    expect(traceIdOf((await late.waitForEvents(channel, 2))[1])).toBe(eventTrace);

    await bidInTraceOfOthers(traced.stack.replicas[0]!.rpcUrl, lotId, 1400, eventTrace);
    onB.close();
    late.close();
  });
});
