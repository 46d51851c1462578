import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mintToken, SseText, startOtlpReceiver, type ReceivedSpan } from "@gavel/testing";
import { BOTH_FEED_MODES, startPushStack, type PushStack } from "./push-stack.ts";
import { TestSocket } from "./ws-client.ts";

const SERVER = 2;
const CLIENT = 3;
const PLACE_BID = "gavel.bidding.v1.BiddingService/PlaceBid";

/**
 * The spans of what WebSocket clients ask (`ws bid`, `ws subscribe`) and the trace
 * context they may send with it: catalog, bidding and a push replica of each feed mode
 * (push-a per channel, push-b shared), exporting to a real OTLP receiver.
 */
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let stack: PushStack;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startPushStack(inject("natsUrl"), {}, BOTH_FEED_MODES, { env: receiver.env });
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

/** A W3C trace context of the client's, in a trace of its own unless given one. */
function clientContext(traceId = randomBytes(16).toString("hex")) {
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

async function bidder(baseUrl: string): Promise<TestSocket> {
  return TestSocket.open(baseUrl, { token: await mintToken(randomUUID()) });
}

function bid(socket: TestSocket, lotId: string, amountMinor: number, traceparent?: unknown) {
  return socket.request({
    type: "bid",
    lotId,
    bidId: randomUUID(),
    amount: { currency: "EUR", amountMinor: String(amountMinor) },
    ...(traceparent === undefined ? {} : { traceparent }),
  });
}

/** Waits until exactly `count` received spans match; answers them. */
async function spansWhere(match: (s: ReceivedSpan) => boolean, count: number) {
  await expect.poll(() => receiver.spans.filter(match).length, { timeout: 10_000 }).toBe(count);
  return receiver.spans.filter(match);
}

const traceIdOf = (event: unknown) => (event as { traceId: string }).traceId;

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
    const lotId = await stack.newLot();
    const socket = await bidder(stack.replicas[0]!.rpcUrl);
    const offered = clientContext();
    expect(await bid(socket, lotId, 1200, offered.traceparent)).toMatchObject({ type: "ack" });
    socket.close();

    const inTrace = (s: ReceivedSpan) => s.traceId === offered.traceId;
    const [handled] = await spansWhere(
      (s) => inTrace(s) && s.service === "bidding" && s.kind === SERVER && s.name === PLACE_BID,
      1,
    );
    const [message] = await spansWhere((s) => inTrace(s) && s.name === "ws bid", 1);
    const [call] = await spansWhere(
      (s) => inTrace(s) && s.service === "push" && s.kind === CLIENT && s.name === PLACE_BID,
      1,
    );
    expect(message!.kind).toBe(SERVER);
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
    const lotId = await stack.newLot();
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
      const socket = await bidder(stack.replicas[i % 2]!.rpcUrl);
      const answer = await bid(socket, lotId, 1200 + 200 * i, value);
      expect(answer, JSON.stringify(value)).toMatchObject({ type: "ack" });
      socket.close();
    }

    const bids = await spansWhere(
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
    expect(receiver.spans.filter((s) => s.traceId === traceId)).toEqual([]);
  });

  it("never joins another user's trace: a new root linked to the context offered, on either feed mode", async () => {
    const lotId = await stack.newLot();
    const channel = `lot:${lotId}`;
    // A watcher on each replica: each has delivered Alice's event before Bob offers its trace.
    const watchers = await Promise.all(stack.replicas.map((r) => TestSocket.open(r.rpcUrl)));
    for (const watcher of watchers) await watcher.subscribe(channel);
    const alice = await bidder(stack.replicas[0]!.rpcUrl);
    const aliceContext = clientContext();
    expect(await bid(alice, lotId, 1200, aliceContext.traceparent)).toMatchObject({ type: "ack" });
    alice.close();
    const frames = await Promise.all(watchers.map((w) => w.waitForEvents(channel, 1)));
    const aliceTrace = traceIdOf(frames[0]![0]);
    expect(aliceTrace).toBe(aliceContext.traceId);
    expect(traceIdOf(frames[1]![0])).toBe(aliceTrace);

    // Bob, on each replica (each feed mode), offers Alice's trace.
    for (const [i, replica] of stack.replicas.entries()) {
      const span = await bidInTraceOfOthers(replica.rpcUrl, lotId, 1400 + 200 * i, aliceTrace);
      expect(span.attributes["gavel.push.replica"]).toBe(i === 0 ? "push-a" : "push-b");
      // His bid goes on in his own trace, down to bidding.
      const [call] = await spansWhere(
        (s) => s.traceId === span.traceId && s.kind === CLIENT && s.name === PLACE_BID,
        1,
      );
      expect(call!.parentSpanId).toBe(span.spanId);
      await spansWhere(
        (s) => s.service === "bidding" && s.kind === SERVER && s.parentSpanId === call!.spanId,
        1,
      );
    }
    // Alice's trace holds one bid: hers.
    const inAlices = (service: string, name: string) =>
      receiver.spans.filter(
        (s) => s.traceId === aliceTrace && s.service === service && s.name === name,
      );
    expect(inAlices("push", "ws bid")).toHaveLength(1);
    expect(inAlices("bidding", PLACE_BID)).toHaveLength(1);
    for (const watcher of watchers) watcher.close();
  });

  it("never joins the trace of an event a shared feed dropped, for a lot nobody on its replica watches", async () => {
    const [watchedHere, watchedThere] = [await stack.newLot(), await stack.newLot()];
    // push-b's lot feed runs for another lot; the traced lot is followed on push-a only.
    const onB = await TestSocket.open(stack.replicas[1]!.rpcUrl);
    await onB.subscribe(`lot:${watchedThere}`);
    const onA = await TestSocket.open(stack.replicas[0]!.rpcUrl);
    await onA.subscribe(`lot:${watchedHere}`);
    await stack.bid(watchedHere, randomUUID(), 1200n);
    const traced = traceIdOf((await onA.waitForEvents(`lot:${watchedHere}`, 1))[0]);
    // push-b's one consumer is in stream order: past this event, it has dropped the first.
    await stack.bid(watchedThere, randomUUID(), 1200n);
    await onB.waitForEvents(`lot:${watchedThere}`, 1);

    await bidInTraceOfOthers(stack.replicas[1]!.rpcUrl, watchedHere, 1400, traced);
    onA.close();
    onB.close();
  });

  it("never joins the trace of an event its replica only replayed from storage", async () => {
    const lotId = await stack.newLot();
    const channel = `lot:${lotId}`;
    const onB = await TestSocket.open(stack.replicas[1]!.rpcUrl);
    await onB.subscribe(channel);
    await stack.bid(lotId, randomUUID(), 1200n);
    const traced = traceIdOf((await onB.waitForEvents(channel, 1))[0]);
    // push-a follows the lot only now: the event reaches it by replay.
    const late = await TestSocket.open(stack.replicas[0]!.rpcUrl);
    await late.subscribe(channel, 0);
    expect(traceIdOf((await late.waitForEvents(channel, 2))[1])).toBe(traced);

    await bidInTraceOfOthers(stack.replicas[0]!.rpcUrl, lotId, 1400, traced);
    onB.close();
    late.close();
  });
});

describe("a subscription over the WebSocket", () => {
  it("refuses a trace another client claimed on the replica, and lets the claimant continue it", async () => {
    const channel = `lot:${await stack.newLot()}`;
    const alice = await bidder(stack.replicas[1]!.rpcUrl);
    const stranger = await TestSocket.open(stack.replicas[1]!.rpcUrl); // anonymous
    const first = clientContext();
    const strangers = clientContext(first.traceId);
    const again = clientContext(first.traceId);
    const subscribe = (socket: TestSocket, traceparent: string) =>
      socket.request({ type: "subscribe", channel, traceparent });
    expect(await subscribe(alice, first.traceparent)).toMatchObject({ type: "subscribed" });
    expect(await subscribe(stranger, strangers.traceparent)).toMatchObject({ type: "subscribed" });
    expect(await subscribe(alice, again.traceparent)).toMatchObject({ type: "subscribed" });

    const spans = await spansWhere(
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
    const lotId = await stack.newLot();
    const channel = `lot:${lotId}`;
    const watchers = await Promise.all(stack.replicas.map((r) => TestSocket.open(r.rpcUrl)));
    for (const watcher of watchers) await watcher.subscribe(channel);
    await stack.bid(lotId, randomUUID(), 1200n);
    await stack.bid(lotId, randomUUID(), 1400n);
    // Delivered on both replicas: stored and behind each feed's position, so replayed.
    for (const watcher of watchers) await watcher.waitForEvents(channel, 2);

    for (const [i, replica] of stack.replicas.entries()) {
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
        (s) => s.traceId === offered.traceId && s.name === "ws subscribe",
        1,
      );
      expect(span!.kind).toBe(SERVER);
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
      (s) =>
        s.name === "ws subscribe" &&
        s.attributes["gavel.channel"] === channel &&
        s.attributes["gavel.push.resumed"] === false,
      2,
    );
    expect(live.map((s) => s.attributes["gavel.push.replayed"])).toEqual([0, 0]);

    const abort = new AbortController();
    const res = await fetch(`${stack.replicas[0]!.rpcUrl}/sse/lots/${lotId}?after=0`, {
      signal: abort.signal,
    });
    const sse = new SseText(res);
    await sse.waitFor(": live after");
    const [opened] = await spansWhere(
      (s) => s.kind === SERVER && s.attributes["url.path"] === `/sse/lots/${lotId}`,
      1,
    );
    expect(opened!.attributes).toMatchObject({
      "gavel.push.resumed": true,
      "gavel.push.replayed": 3,
    });

    // One more event: push-a hands it to a socket and a stream, push-b to a socket.
    await stack.bid(lotId, randomUUID(), 1600n);
    const third = (await watchers[0]!.waitForEvents(channel, 3))[2]!;
    await sse.waitFor(`id: ${third.seq}\n`);
    abort.abort();
    const delivered = await spansWhere(
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
