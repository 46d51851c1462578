import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  freePort,
  serviceEnv,
  startJaeger,
  startService,
  type JaegerHandle,
  type ServiceProcess,
} from "@gavel/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

/**
 * The page's trace routes on real edges, against a real Jaeger: one edge relaying to it
 * and reading from it, one whose collector and trace store do not answer, one with
 * neither configured.
 */
let jaeger: JaegerHandle;
let edge: ServiceProcess;
let unreachable: ServiceProcess;
let off: ServiceProcess;
let webDir: string;

beforeAll(async () => {
  jaeger = await startJaeger();
  webDir = mkdtempSync(join(tmpdir(), "gavel-web-"));
  writeFileSync(join(webDir, "index.html"), "<!doctype html><title>Gavel</title>");
  const closed = `http://127.0.0.1:${await freePort()}`;
  const env = { ...serviceEnv(inject("natsUrl")), GAVEL_WEB_DIR: webDir };
  [edge, unreachable, off] = await Promise.all([
    startService("edge", { ...env, ...jaeger.env, GAVEL_TRACE_QUERY_URL: jaeger.query }),
    startService("edge", {
      ...env,
      GAVEL_WEB_OTLP_TRACES_URL: `${closed}/v1/traces`,
      GAVEL_TRACE_QUERY_URL: closed,
    }),
    startService("edge", env),
  ]);
});

afterAll(async () => {
  const codes = await Promise.all([edge, unreachable, off].map((p) => p?.stop()));
  await jaeger?.stop();
  rmSync(webDir, { recursive: true, force: true });
  expect(codes).toEqual([0, 0, 0]);
});

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const attribute = (key: string, value: string | number) => ({
  key,
  value: typeof value === "number" ? { intValue: String(value) } : { stringValue: value },
});

interface SpanSpec {
  id: string;
  parent?: string;
  name: string;
  kind: number; // OTLP: 1 internal, 2 server, 3 client, 4 producer, 5 consumer
  startMs: number;
  durationMs: number;
  attributes?: Record<string, string | number>;
  error?: boolean;
}

/** An OTLP/HTTP JSON export request: one resource per service. */
function exportRequest(traceId: string, services: Record<string, SpanSpec[]>, t0 = Date.now()) {
  const nanos = (ms: number) => (BigInt(Math.round((t0 + ms) * 1000)) * 1000n).toString();
  return {
    resourceSpans: Object.entries(services).map(([service, spans]) => ({
      resource: { attributes: [attribute("service.name", service)] },
      scopeSpans: [
        {
          scope: { name: "test" },
          spans: spans.map((s) => ({
            traceId,
            spanId: s.id,
            ...(s.parent ? { parentSpanId: s.parent } : {}),
            name: s.name,
            kind: s.kind,
            startTimeUnixNano: nanos(s.startMs),
            endTimeUnixNano: nanos(s.startMs + s.durationMs),
            attributes: Object.entries(s.attributes ?? {}).map(([k, v]) => attribute(k, v)),
            status: s.error ? { code: 2 } : {},
          })),
        },
      ],
    })),
  };
}

const postSpans = (base: string, body: unknown, contentType = "application/json") =>
  fetch(`${base}/otlp/v1/traces`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

async function problem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  return (await res.json()) as { type: string; detail: string };
}

describe("POST /otlp/v1/traces relays the page's spans to the collector", () => {
  it("forwards a web span that Jaeger then serves", async () => {
    const traceId = hex(16);
    const spanId = hex(8);
    const body = exportRequest(traceId, {
      web: [{ id: spanId, name: "click bid", kind: 1, startMs: 0, durationMs: 40 }],
    });
    const res = await postSpans(edge.rpcUrl, body);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    // The collector's own answer: `{}`, or Jaeger's empty partialSuccess.
    const answer = (await res.json()) as { partialSuccess?: { rejectedSpans?: string } };
    expect(answer.partialSuccess?.rejectedSpans ?? "0").toBe("0");
    await expect
      .poll(async () => (await jaeger.getTrace(traceId))?.spans.map((s) => s.spanID), {
        timeout: 10_000,
      })
      .toEqual([spanId]);
    const trace = (await jaeger.getTrace(traceId))!;
    expect(trace.processes[trace.spans[0]!.processID]!.serviceName).toBe("web");
  });

  it("refuses what is not the page's spans as OTLP/HTTP JSON, with the right status", async () => {
    const one = exportRequest(hex(16), {
      web: [{ id: hex(8), name: "a", kind: 1, startMs: 0, durationMs: 1 }],
    });
    const protobuf = await problem(
      await postSpans(edge.rpcUrl, "\x0a\x00", "application/x-protobuf"),
      415,
    );
    expect(protobuf.detail).toContain("send OTLP/HTTP JSON");
    await problem(await postSpans(edge.rpcUrl, JSON.stringify(one), "text/plain"), 415);
    const huge = { ...one, padding: "x".repeat(300 * 1024) };
    expect((await problem(await postSpans(edge.rpcUrl, huge), 413)).type).toContain(
      "body-too-large",
    );
    const forged = exportRequest(hex(16), {
      bidding: [{ id: hex(8), name: "forged", kind: 2, startMs: 0, durationMs: 1 }],
    });
    const foreign = await problem(await postSpans(edge.rpcUrl, forged), 400);
    expect(foreign.detail).toContain('service.name "bidding"');
    const malformed = await problem(await postSpans(edge.rpcUrl, '{"resourceSpans": ['), 400);
    expect(malformed.type).toContain("malformed-json");
    const shapeless = await problem(await postSpans(edge.rpcUrl, { spans: [] }), 400);
    expect(shapeless.detail).toContain("resourceSpans");
    const many = exportRequest(hex(16), {
      web: Array.from({ length: 513 }, () => ({
        id: hex(8),
        name: "s",
        kind: 1,
        startMs: 0,
        durationMs: 1,
      })),
    });
    await problem(await postSpans(edge.rpcUrl, many), 413);
    await problem(await fetch(`${edge.rpcUrl}/otlp/v1/traces`), 405);
  });

  it("answers 502 when the collector is unreachable, and 404 when none is configured", async () => {
    const body = exportRequest(hex(16), {
      web: [{ id: hex(8), name: "a", kind: 1, startMs: 0, durationMs: 1 }],
    });
    const res = await postSpans(unreachable.rpcUrl, body);
    await problem(res, 502);
    expect(res.headers.get("retry-after")).toBeTruthy();
    const none = await problem(await postSpans(off.rpcUrl, body), 404);
    expect(none.detail).toBe("the edge relays no traces: no OTLP/HTTP endpoint is configured");
  });
});

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
    const exported = await fetch(`${jaeger.otlpHttp}/v1/traces`, {
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
          const res = await fetch(`${edge.rpcUrl}/traces/${traceId.toUpperCase()}`);
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
      const bad = await problem(await fetch(`${edge.rpcUrl}/traces/${id}`), 400);
      expect(bad.detail).toBe("a trace id is 32 hexadecimal digits");
    }
    await problem(await fetch(`${edge.rpcUrl}/traces/${hex(16)}`), 404);
  });

  it("answers 503 with Retry-After when Jaeger does not answer, and 404 when none is configured", async () => {
    const res = await fetch(`${unreachable.rpcUrl}/traces/${hex(16)}`);
    await problem(res, 503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    const none = await problem(await fetch(`${off.rpcUrl}/traces/${hex(16)}`), 404);
    expect(none.detail).toContain("set GAVEL_TRACE_QUERY_URL");
  });
});

describe("the page's runtime config", () => {
  it("points the page at the trace routes only where they work", async () => {
    const config = async (base: string) => (await fetch(`${base}/config.json`)).json();
    expect(await config(edge.rpcUrl)).toMatchObject({
      otlpTracesUrl: "/otlp/v1/traces",
      traceViewUrl: "/traces",
    });
    expect(await config(off.rpcUrl)).toMatchObject({ otlpTracesUrl: "", traceViewUrl: "" });
  });

  it("keeps the trace routes out of the edge's own traces", async () => {
    await fetch(`${edge.rpcUrl}/traces/${hex(16)}`);
    await fetch(`${edge.rpcUrl}/v1`);
    const traced = async () =>
      (await jaeger.findTraces({ service: "edge", limit: "100" })).flatMap((t) =>
        t.spans.flatMap((s) =>
          s.tags.filter((tag) => tag.key === "url.path").map((tag) => tag.value),
        ),
      );
    await expect.poll(traced, { timeout: 10_000 }).toContain("/v1");
    expect((await traced()).filter((path) => /^\/(otlp|traces)\//.test(String(path)))).toEqual([]);
  });
});
