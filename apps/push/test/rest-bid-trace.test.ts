import { describe, expect, it } from "vitest";
import { OTLP_SPAN_KIND, SseText } from "@gavel/testing";
import { bidOverRest, createLot, spansOfTrace, useTracedStack } from "./traced-stack.ts";
import { TestSocket } from "./ws-client.ts";

const traced = useTracedStack();

describe("one trace from a REST bid to the sockets that deliver it", () => {
  it("links the edge, bidding, the JetStream append, the projector and both push replicas", async () => {
    const lotId = await createLot(traced.edge.rpcUrl, "A traced lot");
    const onA = await TestSocket.open(traced.pushA.rpcUrl);
    const onB = await TestSocket.open(traced.pushB.rpcUrl);
    await onA.subscribe(`lot:${lotId}`);
    await onB.subscribe(`lot:${lotId}`);

    await bidOverRest(traced.edge.rpcUrl, lotId, 1200);
    const [event] = await onA.waitForEvents(`lot:${lotId}`, 1);
    const traceId = (event as unknown as { traceId: string }).traceId;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect((await onB.waitForEvents(`lot:${lotId}`, 1))[0]).toMatchObject({ traceId });
    // A client resuming later gets the event replayed from storage, with the same trace.
    const late = await TestSocket.open(traced.pushB.rpcUrl);
    await late.subscribe(`lot:${lotId}`, 0);
    const replayed = await late.waitForEvents(`lot:${lotId}`, 2);
    expect(replayed.map((e) => e.event)).toEqual(["opened", "bid_accepted"]);
    expect(replayed[1]).toMatchObject({ traceId });
    late.close();

    const { find, one } = spansOfTrace(traced, traceId);
    // Each process exports on its own schedule: wait for the last span of each.
    const last = [
      ["push", OTLP_SPAN_KIND.consumer, "deliver gavel.lot.{lot_id}", 2],
      ["catalog", OTLP_SPAN_KIND.consumer, "process gavel.lot.{lot_id}", 1],
      ["bidding", OTLP_SPAN_KIND.server, "gavel.bidding.v1.BiddingService/PlaceBid", 1],
      ["edge", OTLP_SPAN_KIND.server, "POST /v1/lots/:id/bids", 1],
    ] as const;
    const missing = () =>
      last.filter(([service, kind, name, count]) => find(service, kind, name).length !== count);
    await expect.poll(missing, { timeout: 10_000 }).toEqual([]);

    const request = one("edge", OTLP_SPAN_KIND.server, "POST /v1/lots/:id/bids");
    const call = one("edge", OTLP_SPAN_KIND.client, "gavel.bidding.v1.BiddingService/PlaceBid");
    const handled = one(
      "bidding",
      OTLP_SPAN_KIND.server,
      "gavel.bidding.v1.BiddingService/PlaceBid",
    );
    const appended = one("bidding", OTLP_SPAN_KIND.producer, "send gavel.lot.{lot_id}");
    const projected = one("catalog", OTLP_SPAN_KIND.consumer, "process gavel.lot.{lot_id}");
    const delivered = find("push", OTLP_SPAN_KIND.consumer, "deliver gavel.lot.{lot_id}");

    expect(request.parentSpanId).toBe("");
    expect(request.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/v1/lots/:id/bids",
      "http.response.status_code": 201,
    });
    expect(call.parentSpanId).toBe(request.spanId);
    expect(call.attributes).toMatchObject({
      "rpc.system.name": "connectrpc",
      "rpc.method": "gavel.bidding.v1.BiddingService/PlaceBid",
    });
    expect(handled.parentSpanId).toBe(call.spanId);
    expect(appended.parentSpanId).toBe(handled.spanId);
    expect(appended.attributes).toMatchObject({
      "messaging.system": "nats",
      "messaging.destination.name": `gavel.lot.${lotId}`,
    });
    expect(projected.parentSpanId).toBe(appended.spanId);
    expect(delivered.map((s) => s.parentSpanId)).toEqual([appended.spanId, appended.spanId]);
    expect(new Set(delivered.map((s) => s.instance)).size).toBe(2);
    for (const span of delivered) {
      expect(span.attributes).toMatchObject({
        "gavel.push.receivers": 1,
        "gavel.push.ws_receivers": 1,
        "gavel.push.sse_receivers": 0,
      });
    }
    onA.close();
    onB.close();
  });

  it("writes to an SSE client inside the delivery's span, and ends the stream's request span once it is open", async () => {
    const lotId = await createLot(traced.edge.rpcUrl, "A lot followed over SSE");
    const onA = await TestSocket.open(traced.pushA.rpcUrl);
    await onA.subscribe(`lot:${lotId}`);
    const abort = new AbortController();
    const res = await fetch(`${traced.pushB.rpcUrl}/sse/lots/${lotId}`, { signal: abort.signal });
    const sse = new SseText(res);
    await sse.waitFor(": live after");

    // The request's span is exported while its stream is still open: it ended at the start.
    const opened = () =>
      traced.receiver.spans.filter(
        (s) =>
          s.service === "push" &&
          s.kind === OTLP_SPAN_KIND.server &&
          s.name === "GET /sse/lots/{lot_id}" &&
          s.attributes["url.path"] === `/sse/lots/${lotId}`,
      );
    await expect.poll(() => opened().length, { timeout: 10_000 }).toBe(1);
    expect(opened()[0]!.attributes).toMatchObject({
      "http.route": "/sse/lots/{lot_id}",
      "http.response.status_code": 200,
      "gavel.push.resumed": false,
      "gavel.push.replayed": 0,
    });

    await bidOverRest(traced.edge.rpcUrl, lotId, 1200);
    const [event] = await onA.waitForEvents(`lot:${lotId}`, 1);
    const traceId = (event as unknown as { traceId: string }).traceId;
    await sse.waitFor("event: bid_accepted");
    abort.abort();
    onA.close();

    const delivered = () =>
      traced.receiver.spans.filter(
        (s) =>
          s.traceId === traceId &&
          s.kind === OTLP_SPAN_KIND.consumer &&
          s.name === "deliver gavel.lot.{lot_id}",
      );
    await expect.poll(() => delivered().length, { timeout: 10_000 }).toBe(2);
    // Replica B's only receiver of this lot is the SSE stream: its write was in the span.
    const atB = delivered().find((s) => s.instance === opened()[0]!.instance);
    expect(atB?.attributes).toMatchObject({
      "gavel.push.receivers": 1,
      "gavel.push.ws_receivers": 0,
      "gavel.push.sse_receivers": 1,
    });
  });
});
