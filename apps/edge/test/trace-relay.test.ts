import { describe, expect, it } from "vitest";
import { exportRequest, hex, problem, useTraceEdges } from "./trace-edges.ts";

/** The page's span relay and runtime config on real edges, against a real Jaeger. */
const edges = useTraceEdges();

const postSpans = (base: string, body: unknown, contentType = "application/json") =>
  fetch(`${base}/otlp/v1/traces`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("POST /otlp/v1/traces relays the page's spans to the collector", () => {
  it("forwards a web span that Jaeger then serves", async () => {
    const traceId = hex(16);
    const spanId = hex(8);
    const body = exportRequest(traceId, {
      web: [{ id: spanId, name: "click bid", kind: 1, startMs: 0, durationMs: 40 }],
    });
    const res = await postSpans(edges.edge.rpcUrl, body);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    // The collector's own answer: `{}`, or Jaeger's empty partialSuccess.
    const answer = (await res.json()) as { partialSuccess?: { rejectedSpans?: string } };
    expect(answer.partialSuccess?.rejectedSpans ?? "0").toBe("0");
    await expect
      .poll(async () => (await edges.jaeger.getTrace(traceId))?.spans.map((s) => s.spanID), {
        timeout: 10_000,
      })
      .toEqual([spanId]);
    const trace = (await edges.jaeger.getTrace(traceId))!;
    expect(trace.processes[trace.spans[0]!.processID]!.serviceName).toBe("web");
  });

  it("refuses what is not the page's spans as OTLP/HTTP JSON, with the right status", async () => {
    const one = exportRequest(hex(16), {
      web: [{ id: hex(8), name: "a", kind: 1, startMs: 0, durationMs: 1 }],
    });
    const protobuf = await problem(
      await postSpans(edges.edge.rpcUrl, "\x0a\x00", "application/x-protobuf"),
      415,
    );
    expect(protobuf.detail).toContain("send OTLP/HTTP JSON");
    await problem(await postSpans(edges.edge.rpcUrl, JSON.stringify(one), "text/plain"), 415);
    const huge = { ...one, padding: "x".repeat(300 * 1024) };
    expect((await problem(await postSpans(edges.edge.rpcUrl, huge), 413)).type).toContain(
      "body-too-large",
    );
    const forged = exportRequest(hex(16), {
      bidding: [{ id: hex(8), name: "forged", kind: 2, startMs: 0, durationMs: 1 }],
    });
    const foreign = await problem(await postSpans(edges.edge.rpcUrl, forged), 400);
    expect(foreign.detail).toContain('service.name "bidding"');
    const malformed = await problem(await postSpans(edges.edge.rpcUrl, '{"resourceSpans": ['), 400);
    expect(malformed.type).toContain("malformed-json");
    const shapeless = await problem(await postSpans(edges.edge.rpcUrl, { spans: [] }), 400);
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
    await problem(await postSpans(edges.edge.rpcUrl, many), 413);
    await problem(await fetch(`${edges.edge.rpcUrl}/otlp/v1/traces`), 405);
  });

  it("answers 502 when the collector is unreachable, and 404 when none is configured", async () => {
    const body = exportRequest(hex(16), {
      web: [{ id: hex(8), name: "a", kind: 1, startMs: 0, durationMs: 1 }],
    });
    const res = await postSpans(edges.unreachable.rpcUrl, body);
    await problem(res, 502);
    expect(res.headers.get("retry-after")).toBeTruthy();
    const none = await problem(await postSpans(edges.off.rpcUrl, body), 404);
    expect(none.detail).toBe("the edge relays no traces: no OTLP/HTTP endpoint is configured");
  });
});

describe("the page's runtime config", () => {
  it("points the page at the trace routes only where they work", async () => {
    const config = async (base: string) => (await fetch(`${base}/config.json`)).json();
    expect(await config(edges.edge.rpcUrl)).toMatchObject({
      otlpTracesUrl: "/otlp/v1/traces",
      traceViewUrl: "/traces",
    });
    expect(await config(edges.off.rpcUrl)).toMatchObject({ otlpTracesUrl: "", traceViewUrl: "" });
  });

  it("keeps the trace routes out of the edge's own traces", async () => {
    await fetch(`${edges.edge.rpcUrl}/traces/${hex(16)}`);
    await fetch(`${edges.edge.rpcUrl}/v1`);
    const traced = async () =>
      (await edges.jaeger.findTraces({ service: "edge", limit: "100" })).flatMap((t) =>
        t.spans.flatMap((s) =>
          s.tags.filter((tag) => tag.key === "url.path").map((tag) => tag.value),
        ),
      );
    await expect.poll(traced, { timeout: 10_000 }).toContain("/v1");
    expect((await traced()).filter((path) => /^\/(otlp|traces)\//.test(String(path)))).toEqual([]);
  });
});
