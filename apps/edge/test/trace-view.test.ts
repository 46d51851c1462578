import { describe, expect, it } from "vitest";
import { exportRequest, hex, problem, useTraceEdges } from "./trace-edges.ts";

/** The page's trace view on real edges, reading a real Jaeger. */
const edges = useTraceEdges();

describe("GET /traces/:traceId shapes a trace for the page's waterfall", () => {
  it("serves a real trace in parent order, with each span's protocol and nothing else", async () => {
    const traceId = hex(16);
    const [click, fetchSpan, rest, call, handled, append, deliver, ws] = Array.from(
      { length: 8 },
      () => hex(8),
    );
    const bid = exportRequest(traceId, {
      web: [
        { id: click!, name: "click bid", kind: 1, startMs: 0, durationMs: 30 },
        { id: fetchSpan!, parent: click, name: "POST", kind: 3, startMs: 1, durationMs: 25 },
      ],
      edge: [
        {
          id: rest!,
          parent: fetchSpan,
          name: "POST /v1/lots/:id/bids",
          kind: 2,
          startMs: 3,
          durationMs: 20,
          attributes: {
            "http.request.method": "POST",
            "http.route": "/v1/lots/:id/bids",
            "user_agent.original": "a private browser",
          },
        },
        {
          id: call!,
          parent: rest,
          name: "gavel.bidding.v1.BiddingService/PlaceBid",
          kind: 3,
          startMs: 4,
          durationMs: 15,
          attributes: { "rpc.system.name": "connectrpc" },
        },
      ],
      bidding: [
        {
          id: handled!,
          parent: call,
          name: "gavel.bidding.v1.BiddingService/PlaceBid",
          kind: 2,
          startMs: 5,
          durationMs: 12,
          attributes: { "rpc.system.name": "connectrpc" },
          error: true,
        },
        {
          id: append!,
          parent: handled,
          name: "send gavel.lot.{lot_id}",
          kind: 4,
          startMs: 6,
          durationMs: 3,
          attributes: { "messaging.system": "nats", "messaging.operation.type": "send" },
        },
      ],
      push: [
        {
          id: ws!,
          parent: append,
          name: "ws subscribe",
          kind: 2,
          startMs: 11,
          durationMs: 1,
          attributes: { "network.protocol.name": "websocket" },
        },
        {
          id: deliver!,
          parent: append,
          name: "deliver gavel.lot.{lot_id}",
          kind: 5,
          startMs: 10,
          durationMs: 2,
          attributes: {
            "messaging.system": "nats",
            "messaging.operation.name": "deliver",
            "gavel.push.ws_receivers": 0,
            "gavel.push.sse_receivers": 2,
          },
        },
      ],
    });
    const exported = await fetch(`${edges.jaeger.otlpHttp}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(bid),
    });
    expect(exported.status).toBe(200);

    let view: { traceId: string; durationMs: number; spans: Array<Record<string, unknown>> } = {
      traceId: "",
      durationMs: 0,
      spans: [],
    };
    await expect
      .poll(
        async () => {
          const res = await fetch(`${edges.edge.rpcUrl}/traces/${traceId.toUpperCase()}`);
          if (res.status !== 200) return res.status;
          expect(res.headers.get("cache-control")).toBe("no-store");
          view = (await res.json()) as typeof view;
          return view.spans.length;
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe(8);
    expect(view.traceId).toBe(traceId);
    expect(view.durationMs).toBe(30);
    const rows = view.spans.map((s) => [s.depth, s.service, s.name, s.protocol, s.kind]);
    expect(rows).toEqual([
      [0, "web", "click bid", "Browser", "internal"],
      [1, "web", "POST", "Browser", "client"],
      [2, "edge", "POST /v1/lots/:id/bids", "HTTP", "server"],
      [3, "edge", "gavel.bidding.v1.BiddingService/PlaceBid", "Connect", "client"],
      [4, "bidding", "gavel.bidding.v1.BiddingService/PlaceBid", "Connect", "server"],
      [5, "bidding", "send gavel.lot.{lot_id}", "NATS", "producer"],
      [6, "push", "deliver gavel.lot.{lot_id}", "SSE", "consumer"],
      [6, "push", "ws subscribe", "WebSocket", "server"],
    ]);
    expect(view.spans.map((s) => s.parentId)).toEqual([
      null,
      click,
      fetchSpan,
      rest,
      call,
      handled,
      append,
      append,
    ]);
    expect(view.spans.map((s) => s.error)).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
    ]);
    expect(view.spans[6]).toEqual({
      id: deliver,
      parentId: append,
      depth: 6,
      service: "push",
      name: "deliver gavel.lot.{lot_id}",
      protocol: "SSE",
      kind: "consumer",
      startMs: 10,
      durationMs: 2,
      error: false,
    });
    expect(JSON.stringify(view)).not.toContain("a private browser");
  });

  it("answers 400 for a malformed id and 404 for a trace Jaeger does not have", async () => {
    for (const id of [
      "nope",
      "0af7651916cd43dd8448eb211c80319",
      "0".repeat(32),
      `${"g".repeat(32)}`,
    ]) {
      const bad = await problem(await fetch(`${edges.edge.rpcUrl}/traces/${id}`), 400);
      expect(bad.detail).toBe("a trace id is 32 hexadecimal digits");
    }
    await problem(await fetch(`${edges.edge.rpcUrl}/traces/${hex(16)}`), 404);
  });

  it("answers 503 with Retry-After when Jaeger does not answer, and 404 when none is configured", async () => {
    const res = await fetch(`${edges.unreachable.rpcUrl}/traces/${hex(16)}`);
    await problem(res, 503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    const none = await problem(await fetch(`${edges.off.rpcUrl}/traces/${hex(16)}`), 404);
    expect(none.detail).toContain("set GAVEL_TRACE_QUERY_URL");
  });
});
