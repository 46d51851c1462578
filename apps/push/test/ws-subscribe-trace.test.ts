import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { OTLP_SPAN_KIND, SseText } from "@gavel/testing";
import { TestSocket } from "./ws-client.ts";
import { bidder, clientContext, spansWhere, traceIdOf, useWsTraceStack } from "./ws-trace-stack.ts";

/** The span of a subscription over the WebSocket, and the trace context its client may send. */
const traced = useWsTraceStack();

describe("a subscription over the WebSocket", () => {
  it("refuses a trace another client claimed on the replica, and lets the claimant continue it", async () => {
    const channel = `lot:${await traced.stack.newLot()}`;
    const alice = await bidder(traced.stack.replicas[1]!.rpcUrl);
    const stranger = await TestSocket.open(traced.stack.replicas[1]!.rpcUrl); // anonymous
    const first = clientContext();
    const strangers = clientContext(first.traceId);
    const again = clientContext(first.traceId);
    const subscribe = (socket: TestSocket, traceparent: string) =>
      socket.request({ type: "subscribe", channel, traceparent });
    expect(await subscribe(alice, first.traceparent)).toMatchObject({ type: "subscribed" });
    expect(await subscribe(stranger, strangers.traceparent)).toMatchObject({ type: "subscribed" });
    expect(await subscribe(alice, again.traceparent)).toMatchObject({ type: "subscribed" });

    const spans = await spansWhere(
      traced,
      (s) => s.name === "ws subscribe" && s.attributes["gavel.channel"] === channel,
      3,
    );
    const alices = spans.filter((s) => s.traceId === first.traceId);
    expect(alices.map((s) => s.parentSpanId).sort()).toEqual([first.spanId, again.spanId].sort());
    const refused = spans.find((s) => s.traceId !== first.traceId)!;
    expect(refused.parentSpanId).toBe("");
    expect(refused.links).toEqual([{ traceId: first.traceId, spanId: strangers.spanId }]);
    expect(refused.attributes).toMatchObject({
      "gavel.trace.parent_refused": "another_owner",
      "gavel.ws.answer": "subscribed",
    });
    alice.close();
    stranger.close();
  });

  it("counts the stored events a resume replays, over the WebSocket and SSE, and the receivers by transport", async () => {
    const lotId = await traced.stack.newLot();
    const channel = `lot:${lotId}`;
    const watchers = await Promise.all(traced.stack.replicas.map((r) => TestSocket.open(r.rpcUrl)));
    for (const watcher of watchers) await watcher.subscribe(channel);
    await traced.stack.bid(lotId, randomUUID(), 1200n);
    await traced.stack.bid(lotId, randomUUID(), 1400n);
    // Delivered on both replicas: stored and behind each feed's position, so replayed.
    for (const watcher of watchers) await watcher.waitForEvents(channel, 2);

    for (const [i, replica] of traced.stack.replicas.entries()) {
      const late = await TestSocket.open(replica.rpcUrl);
      const offered = clientContext();
      const answer = await late.request({
        type: "subscribe",
        channel,
        after: 0,
        traceparent: offered.traceparent,
      });
      expect(answer).toMatchObject({ type: "subscribed" });
      const events = await late.waitForEvents(channel, 3);
      expect(events.map((e) => e.event)).toEqual(["opened", "bid_accepted", "bid_accepted"]);
      late.close();
      const [span] = await spansWhere(
        traced,
        (s) => s.traceId === offered.traceId && s.name === "ws subscribe",
        1,
      );
      expect(span!.kind).toBe(OTLP_SPAN_KIND.server);
      expect(span!.parentSpanId).toBe(offered.spanId);
      expect(span!.attributes).toEqual({
        "network.protocol.name": "websocket",
        "gavel.ws.message.type": "subscribe",
        "gavel.push.replica": i === 0 ? "push-a" : "push-b",
        "gavel.channel": channel,
        "gavel.push.resumed": true,
        "gavel.push.replayed": 3,
        "gavel.ws.answer": "subscribed",
      });
    }
    const live = await spansWhere(
      traced,
      (s) =>
        s.name === "ws subscribe" &&
        s.attributes["gavel.channel"] === channel &&
        s.attributes["gavel.push.resumed"] === false,
      2,
    );
    expect(live.map((s) => s.attributes["gavel.push.replayed"])).toEqual([0, 0]);

    const abort = new AbortController();
    const res = await fetch(`${traced.stack.replicas[0]!.rpcUrl}/sse/lots/${lotId}?after=0`, {
      signal: abort.signal,
    });
    const sse = new SseText(res);
    await sse.waitFor(": live after");
    const [opened] = await spansWhere(
      traced,
      (s) => s.kind === OTLP_SPAN_KIND.server && s.attributes["url.path"] === `/sse/lots/${lotId}`,
      1,
    );
    expect(opened!.attributes).toMatchObject({
      "gavel.push.resumed": true,
      "gavel.push.replayed": 3,
    });

    // One more event: push-a hands it to a socket and a stream, push-b to a socket.
    await traced.stack.bid(lotId, randomUUID(), 1600n);
    const third = (await watchers[0]!.waitForEvents(channel, 3))[2]!;
    await sse.waitFor(`id: ${third.seq}\n`);
    abort.abort();
    const delivered = await spansWhere(
      traced,
      (s) => s.traceId === traceIdOf(third) && s.name === "deliver gavel.lot.{lot_id}",
      2,
    );
    const atA = delivered.find((s) => s.instance === opened!.instance);
    const atB = delivered.find((s) => s !== atA);
    expect(atA?.attributes).toMatchObject({
      "gavel.push.receivers": 2,
      "gavel.push.ws_receivers": 1,
      "gavel.push.sse_receivers": 1,
    });
    expect(atB?.attributes).toMatchObject({
      "gavel.push.receivers": 1,
      "gavel.push.ws_receivers": 1,
      "gavel.push.sse_receivers": 0,
    });
    for (const watcher of watchers) watcher.close();
  });
});
