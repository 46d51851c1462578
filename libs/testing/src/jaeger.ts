import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./free-port.ts";
import { jaegerBinary } from "./tools.ts";
import { untilHttpOk } from "./until-http-ok.ts";

/** One span as Jaeger's query API (v1 JSON) answers it. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: "CHILD_OF" | "FOLLOWS_FROM"; traceID: string; spanID: string }>;
  processID: string;
  tags: Array<{ key: string; value: unknown }>;
  startTime: number;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

export interface JaegerHandle {
  /** OTLP/HTTP, what the services export to. */
  otlpHttp: string;
  /** The query API, as a person's browser or script would read it. */
  query: string;
  /** What a service needs to export every span to this Jaeger, promptly. */
  env: Record<string, string>;
  /** GET /api/traces with these query parameters; the traces found. */
  findTraces(params: Record<string, string>): Promise<JaegerTrace[]>;
  getTrace(traceId: string): Promise<JaegerTrace | undefined>;
  /**
   * The trace once it holds every span named "service operation" in `wanted` (a name
   * given twice needs two spans): spans arrive from each process in its own time. Throws
   * with an outline of what arrived when they are not all there within `timeoutMs`.
   */
  untilTraceHas(traceId: string, wanted: string[], timeoutMs?: number): Promise<JaegerTrace>;
  stop(): Promise<void>;
}

/**
 * A real Jaeger v2 (the pinned build of scripts/tools/jaeger.sh, which `npm test` makes
 * before any test runs) for tests that assert tracing the way a person looks at it:
 * through Jaeger's own query API. In-memory storage, and a config of its own with every
 * listener on a free loopback port, so it never clashes with `npm start -- --jaeger` or
 * another test's Jaeger.
 */
export async function startJaeger(): Promise<JaegerHandle> {
  const bin = jaegerBinary();
  const [otlp, queryHttp, queryGrpc] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "gavel-jaeger-"));
  const config = join(dir, "config.yaml");
  writeFileSync(
    config,
    `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: memory
    http:
      endpoint: 127.0.0.1:${queryHttp}
    grpc:
      endpoint: 127.0.0.1:${queryGrpc}
  jaeger_storage:
    backends:
      memory:
        memory:
          max_traces: 10000
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlp}
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memory
`,
  );
  const child = spawn(bin, ["--config", config], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.on("data", (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const query = `http://127.0.0.1:${queryHttp}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const answer = await untilHttpOk(`${query}/api/services`, {
    timeoutMs: 30_000,
    gone: () => child.exitCode !== null,
  });
  if (answer !== "ok") {
    await stop();
    throw new Error(
      answer === "gone"
        ? `jaeger exited with ${child.exitCode}:\n${log}`
        : `jaeger never answered on ${query}:\n${log}`,
    );
  }
  const getTrace = async (traceId: string) => (await read(`/api/traces/${traceId}`))[0];
  const read = async (path: string) => {
    const res = await fetch(`${query}${path}`);
    if (res.status === 404) return [];
    if (!res.ok) throw new Error(`jaeger ${path}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { data: JaegerTrace[] | null }).data ?? [];
  };
  return {
    otlpHttp: `http://127.0.0.1:${otlp}`,
    query,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlp}`,
      OTEL_TRACES_SAMPLER: "always_on",
      // Export within a fraction of a second, not the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: "100",
      // Jaeger takes traces only.
      OTEL_METRICS_EXPORTER: "none",
    },
    findTraces: (params) => read(`/api/traces?${new URLSearchParams(params)}`),
    getTrace,
    async untilTraceHas(traceId, wanted, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const trace = await getTrace(traceId);
        const missing = trace ? missingSpans(trace, wanted) : wanted;
        if (trace && missing.length === 0) return trace;
        if (Date.now() >= deadline) {
          const arrived = trace ? spansOf(trace).outline() : "no span";
          throw new Error(`trace ${traceId} lacks ${missing.join(", ")}; it holds:\n${arrived}`);
        }
        await sleep(250);
      }
    },
    stop,
  };
}

/** The names in `wanted` ("service operation", repeated for more than one) not yet there. */
function missingSpans(trace: JaegerTrace, wanted: string[]): string[] {
  const t = spansOf(trace);
  const held = trace.spans.map((s) => `${t.service(s)} ${s.operationName}`);
  return wanted.filter((name, i) => {
    const needed = wanted.slice(0, i + 1).filter((w) => w === name).length;
    return held.filter((h) => h === name).length < needed;
  });
}

/**
 * A trace's spans as a tree, for tests that assert parent order: each span's service and
 * parent (its CHILD_OF reference), lookups by service and operation, and an outline to
 * print when a hop is missing.
 */
export function spansOf(trace: JaegerTrace) {
  const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
  const service = (s: JaegerSpan) => trace.processes[s.processID]!.serviceName;
  const parent = (s: JaegerSpan) =>
    byId.get(s.references.find((r) => r.refType === "CHILD_OF")?.spanID ?? "");
  const find = (svc: string, name: string) =>
    trace.spans.filter((s) => service(s) === svc && s.operationName === name);
  /** The one span of that service and operation (and condition); throws unless exactly one. */
  const one = (svc: string, name: string, where: (s: JaegerSpan) => boolean = () => true) => {
    const found = find(svc, name).filter(where);
    if (found.length !== 1) throw new Error(`${found.length} spans "${svc} ${name}", want 1`);
    return found[0]!;
  };
  /** True when `ancestor` is on the path from `span` up to the root. */
  const descends = (span: JaegerSpan, ancestor: JaegerSpan): boolean => {
    for (let s = parent(span); s; s = parent(s)) if (s.spanID === ancestor.spanID) return true;
    return false;
  };
  const tag = (s: JaegerSpan, key: string) => s.tags.find((t) => t.key === key)?.value;
  /** One line per span: service, operation, its id and its parent's. */
  const outline = () =>
    trace.spans
      .map((s) => `${service(s)} ${s.operationName} ${s.spanID} <- ${parent(s)?.spanID ?? "root"}`)
      .join("\n");
  return { service, parent, find, one, descends, tag, outline };
}
