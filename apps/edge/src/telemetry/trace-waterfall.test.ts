import { describe, expect, it } from "vitest";
import { protocolOf, waterfallOf, type JaegerSpan, type JaegerTrace } from "./trace-waterfall.ts";

const tags = (entries: Record<string, unknown>) => new Map(Object.entries(entries));

describe("the protocol a span is drawn as", () => {
  it.each([
    ["web", { "http.request.method": "POST" }, "Browser"],
    ["push", { "network.protocol.name": "websocket", "gavel.lot.id": "x" }, "WebSocket"],
    ["edge", { "rpc.system.name": "connectrpc", "rpc.method": "a/B" }, "Connect"],
    ["settlement", { "rpc.system": "connect_rpc" }, "Connect"],
    ["bidding", { "messaging.system": "nats", "messaging.operation.type": "send" }, "NATS"],
    ["catalog", { "messaging.system": "nats", "messaging.operation.type": "process" }, "NATS"],
    ["bff", { "http.request.method": "POST", "http.route": "/graphql" }, "GraphQL"],
    ["bff", { "http.request.method": "POST", "url.path": "/graphql" }, "GraphQL"],
    ["bff", { "graphql.operation.type": "mutation" }, "GraphQL"],
    ["bff", { "graphql.field.name": "placeBid" }, "GraphQL"],
    ["push", { "http.request.method": "GET", "http.route": "/sse/lots/{lot_id}" }, "SSE"],
    ["edge", { "http.request.method": "POST", "http.route": "/v1/lots/:id/bids" }, "HTTP"],
    ["push", { "http.request.method": "POST", "http.route": "/tickets" }, "HTTP"],
    ["bidding", { "gavel.lot.id": "x" }, "Internal"],
  ])("%s %j is %s", (service, entries, protocol) => {
    expect(protocolOf(service, tags(entries))).toBe(protocol);
  });

  it("draws push's delivery by the transports it reached, NATS when none", () => {
    const deliver = (ws?: number, sse?: number) =>
      protocolOf(
        "push",
        tags({
          "messaging.system": "nats",
          "messaging.operation.name": "deliver",
          ...(ws === undefined ? {} : { "gavel.push.ws_receivers": ws }),
          ...(sse === undefined ? {} : { "gavel.push.sse_receivers": sse }),
        }),
      );
    expect(deliver(2, 0)).toBe("WebSocket");
    expect(deliver(undefined, 1)).toBe("SSE");
    expect(deliver(0, 1)).toBe("SSE");
    expect(deliver(3, 1)).toBe("WebSocket, SSE");
    expect(deliver(0, 0)).toBe("NATS");
    expect(deliver()).toBe("NATS");
  });
});

let clock = 1_700_000_000_000_000; // microseconds, as Jaeger counts
function span(
  id: string,
  parent: string | null,
  startOffset: number,
  extra: Partial<JaegerSpan> = {},
): JaegerSpan {
  return {
    spanID: id,
    operationName: `op ${id}`,
    references: parent ? [{ refType: "CHILD_OF", spanID: parent }] : [],
    processID: "p1",
    tags: [{ key: "span.kind", value: "server" }],
    startTime: clock + startOffset,
    duration: 1000,
    ...extra,
  };
}
const traceOf = (spans: JaegerSpan[]): JaegerTrace => ({
  traceID: "0af7651916cd43dd8448eb211c80319c",
  spans,
  processes: { p1: { serviceName: "edge" }, p2: { serviceName: "web" } },
});

describe("a trace as the page's waterfall", () => {
  it("orders spans depth-first from the root, siblings by start time, times from the first start", () => {
    clock += 1_000_000;
    const view = waterfallOf(
      "0af7651916cd43dd8448eb211c80319c",
      traceOf([
        span("c2", "b", 900),
        span("b", "a", 100),
        span("a", null, 0, { duration: 5_000, processID: "p2" }),
        span("c1", "b", 300),
        span("d", "a", 200, { duration: 6_500 }),
      ]),
    );
    expect(view.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(view.durationMs).toBe(6.7);
    expect(view.spans.map((s) => [s.id, s.parentId, s.depth])).toEqual([
      ["a", null, 0],
      ["b", "a", 1],
      ["c1", "b", 2],
      ["c2", "b", 2],
      ["d", "a", 1],
    ]);
    expect(view.spans[0]).toEqual({
      id: "a",
      parentId: null,
      depth: 0,
      service: "web",
      name: "op a",
      protocol: "Browser",
      kind: "server",
      startMs: 0,
      durationMs: 5,
      error: false,
    });
    expect(view.spans[2]).toMatchObject({ startMs: 0.3, durationMs: 1 });
  });

  it("treats a span whose parent is not in the trace as a root, and keeps every span once", () => {
    clock += 1_000_000;
    const view = waterfallOf(
      "0af7651916cd43dd8448eb211c80319c",
      traceOf([
        span("late", "gone", 50),
        span("root", null, 0),
        span("late", "gone", 50),
        span("kid", "late", 60),
      ]),
    );
    expect(view.spans.map((s) => [s.id, s.parentId, s.depth])).toEqual([
      ["root", null, 0],
      ["late", null, 0],
      ["kid", "late", 1],
    ]);
  });

  it("draws spans whose parents form a cycle rather than losing them", () => {
    clock += 1_000_000;
    const view = waterfallOf(
      "0af7651916cd43dd8448eb211c80319c",
      traceOf([span("x", "y", 0), span("y", "x", 10)]),
    );
    expect(view.spans.map((s) => s.id).sort()).toEqual(["x", "y"]);
  });

  it("exposes no attributes, and reads kind and error from Jaeger's tags", () => {
    clock += 1_000_000;
    const view = waterfallOf(
      "0af7651916cd43dd8448eb211c80319c",
      traceOf([
        span("a", null, 0, {
          tags: [
            { key: "span.kind", value: "client" },
            { key: "error", value: true },
            { key: "user_agent.original", value: "secret browser" },
          ],
        }),
        span("b", "a", 5, { tags: [] }),
      ]),
    );
    expect(view.spans.map((s) => [s.kind, s.error])).toEqual([
      ["client", true],
      ["internal", false],
    ]);
    expect(JSON.stringify(view)).not.toContain("secret browser");
  });

  it("follows a chain deeper than the call stack would allow", () => {
    clock += 1_000_000;
    const chain = Array.from({ length: 20_000 }, (_, i) =>
      span(`s${i}`, i ? `s${i - 1}` : null, i),
    );
    const view = waterfallOf("0af7651916cd43dd8448eb211c80319c", traceOf(chain));
    expect(view.spans.at(-1)).toMatchObject({ id: "s19999", depth: 19_999 });
  });
});
