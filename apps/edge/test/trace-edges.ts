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
import { afterAll, beforeAll, expect, inject } from "vitest";

/** A real Jaeger and three real edges: relaying to it, with nothing that answers, with neither. */
export interface TraceEdges {
  jaeger: JaegerHandle;
  edge: ServiceProcess;
  unreachable: ServiceProcess;
  off: ServiceProcess;
}

/**
 * The edges one test file shares: started before its tests, stopped after them, when
 * every edge must exit 0. Read the fields inside tests, once they have started.
 */
export function useTraceEdges(): TraceEdges {
  const edges = {} as TraceEdges;
  let webDir = "";
  beforeAll(async () => {
    const jaeger = await startJaeger();
    webDir = mkdtempSync(join(tmpdir(), "gavel-web-"));
    writeFileSync(join(webDir, "index.html"), "<!doctype html><title>Gavel</title>");
    const closed = `http://127.0.0.1:${await freePort()}`;
    const env = { ...serviceEnv(inject("natsUrl")), GAVEL_WEB_DIR: webDir };
    const [edge, unreachable, off] = await Promise.all([
      startService("edge", { ...env, ...jaeger.env, GAVEL_TRACE_QUERY_URL: jaeger.query }),
      startService("edge", {
        ...env,
        GAVEL_WEB_OTLP_TRACES_URL: `${closed}/v1/traces`,
        GAVEL_TRACE_QUERY_URL: closed,
      }),
      startService("edge", env),
    ]);
    Object.assign(edges, { jaeger, edge, unreachable, off });
  });
  afterAll(async () => {
    const codes = await Promise.all(
      [edges.edge, edges.unreachable, edges.off].map((p) => p?.stop()),
    );
    await edges.jaeger?.stop();
    rmSync(webDir, { recursive: true, force: true });
    expect(codes).toEqual([0, 0, 0]);
  });
  return edges;
}

export const hex = (bytes: number) => randomBytes(bytes).toString("hex");

const attribute = (key: string, value: string | number) => ({
  key,
  value: typeof value === "number" ? { intValue: String(value) } : { stringValue: value },
});

export interface SpanSpec {
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
export function exportRequest(
  traceId: string,
  services: Record<string, SpanSpec[]>,
  t0 = Date.now(),
) {
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

/** A problem+json answer with the status given: its type and detail. */
export async function problem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  return (await res.json()) as { type: string; detail: string };
}
