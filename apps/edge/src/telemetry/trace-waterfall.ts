/** One span as Jaeger's query API (v1 JSON) answers it: times in microseconds. */
export interface JaegerSpan {
  spanID: string;
  operationName: string;
  references?: Array<{ refType: string; spanID: string }> | null;
  processID: string;
  tags?: Array<{ key: string; value: unknown }> | null;
  startTime: number;
  duration: number;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string } | undefined>;
}

export type Protocol =
  | "Browser"
  | "HTTP"
  | "GraphQL"
  | "WebSocket"
  | "Connect"
  | "NATS"
  | "SSE"
  | "WebSocket, SSE"
  | "Internal";

export type SpanKind = "client" | "server" | "producer" | "consumer" | "internal";

/**
 * One span as the page draws it: names, services and timings only. Attributes stay out:
 * they hold lot ids, user agents and more that a trace's viewer need not see.
 */
export interface WaterfallSpan {
  id: string;
  parentId: string | null;
  depth: number;
  service: string;
  name: string;
  protocol: Protocol;
  kind: SpanKind;
  /** From the start of the trace's first span. */
  startMs: number;
  durationMs: number;
  error: boolean;
}

export interface Waterfall {
  traceId: string;
  durationMs: number;
  /** Depth-first from the roots, siblings by start time: the order of the rows. */
  spans: WaterfallSpan[];
}

type Tags = ReadonlyMap<string, unknown>;

/**
 * The protocol a span is drawn as, from the tags the services set (libs/telemetry,
 * apps/settlement), first match wins:
 *
 * | the span                                             | protocol                      |
 * | ---------------------------------------------------- | ----------------------------- |
 * | of service `web` (the page)                          | Browser                       |
 * | `network.protocol.name` = websocket (push's frames)  | WebSocket                     |
 * | `rpc.system.name` or `rpc.system` (connect, grpc)    | Connect                       |
 * | push's `deliver ...` (`messaging.operation.name`)    | by its receivers: WebSocket,  |
 * |   with `gavel.push.ws_receivers` / `_sse_receivers`  |   SSE, "WebSocket, SSE"; NATS |
 * |                                                      |   when it reached none        |
 * | `messaging.system` (a JetStream send or process)     | NATS                          |
 * | `graphql.*`, or `http.route`/`url.path` /graphql     | GraphQL                       |
 * | `http.route`/`url.path` under /sse (a stream opens)  | SSE                           |
 * | `http.request.method`                                | HTTP                          |
 * | anything else (a lot's close, say)                   | Internal                      |
 */
export function protocolOf(service: string, tags: Tags): Protocol {
  if (service === "web") return "Browser";
  if (String(tags.get("network.protocol.name")).toLowerCase() === "websocket") return "WebSocket";
  if (tags.has("rpc.system.name") || tags.has("rpc.system")) return "Connect";
  if (tags.has("messaging.system")) {
    if (tags.get("messaging.operation.name") !== "deliver") return "NATS";
    const ws = Number(tags.get("gavel.push.ws_receivers") ?? 0) > 0;
    const sse = Number(tags.get("gavel.push.sse_receivers") ?? 0) > 0;
    return ws && sse ? "WebSocket, SSE" : ws ? "WebSocket" : sse ? "SSE" : "NATS";
  }
  const path = String(tags.get("http.route") ?? tags.get("url.path") ?? "");
  if (path === "/graphql" || [...tags.keys()].some((key) => key.startsWith("graphql.")))
    return "GraphQL";
  if (path === "/sse" || path.startsWith("/sse/")) return "SSE";
  if (tags.has("http.request.method")) return "HTTP";
  return "Internal";
}

const KINDS = new Set<string>(["client", "server", "producer", "consumer", "internal"]);

/** Jaeger's `span.kind` tag; OTLP's UNSPECIFIED and INTERNAL come without one. */
function kindOf(tags: Tags): SpanKind {
  const kind = String(tags.get("span.kind") ?? "internal");
  return KINDS.has(kind) ? (kind as SpanKind) : "internal";
}

/** Jaeger marks a span whose status is ERROR with the tag error=true. */
function errorOf(tags: Tags): boolean {
  return (
    tags.get("error") === true ||
    tags.get("error") === "true" ||
    tags.get("otel.status_code") === "ERROR"
  );
}

const ms = (micros: number) => Math.round(micros) / 1000;

/** A Jaeger trace as the page's waterfall: rows in parent order, times from its start. */
export function waterfallOf(traceId: string, trace: JaegerTrace): Waterfall {
  const spans = new Map<string, JaegerSpan>();
  for (const span of trace.spans) if (!spans.has(span.spanID)) spans.set(span.spanID, span);
  const all = [...spans.values()].sort((a, b) => a.startTime - b.startTime);
  const start = all[0]?.startTime ?? 0;
  const end = Math.max(start, ...all.map((s) => s.startTime + s.duration));
  const parentOf = (span: JaegerSpan) =>
    span.references?.find(
      (r) => r.refType === "CHILD_OF" && spans.has(r.spanID) && r.spanID !== span.spanID,
    )?.spanID ?? null;
  const children = new Map<string | null, JaegerSpan[]>();
  for (const span of all) {
    const parent = parentOf(span);
    const siblings = children.get(parent);
    if (siblings) siblings.push(span);
    else children.set(parent, [span]);
  }
  const rows: WaterfallSpan[] = [];
  const placed = new Set<string>();
  // Iterative, not recursive: a trace's depth is whatever its senders made it.
  const place = (root: JaegerSpan) => {
    const stack = [{ span: root, parentId: null as string | null, depth: 0 }];
    for (let next = stack.pop(); next; next = stack.pop()) {
      const { span, parentId, depth } = next;
      if (placed.has(span.spanID)) continue;
      placed.add(span.spanID);
      rows.push(rowOf(span, trace, parentId, depth, start));
      const below = children.get(span.spanID) ?? [];
      for (let i = below.length - 1; i >= 0; i--)
        stack.push({ span: below[i]!, parentId: span.spanID, depth: depth + 1 });
    }
  };
  for (const root of children.get(null) ?? []) place(root);
  // Spans whose parents form a cycle reach no root; drawn as roots rather than lost.
  for (const span of all) place(span);
  return { traceId, durationMs: ms(end - start), spans: rows };
}

function rowOf(
  span: JaegerSpan,
  trace: JaegerTrace,
  parentId: string | null,
  depth: number,
  traceStart: number,
): WaterfallSpan {
  const tags: Tags = new Map((span.tags ?? []).map((t) => [t.key, t.value]));
  const service = trace.processes[span.processID]?.serviceName ?? "unknown";
  return {
    id: span.spanID,
    parentId,
    depth,
    service,
    name: span.operationName,
    protocol: protocolOf(service, tags),
    kind: kindOf(tags),
    startMs: ms(span.startTime - traceStart),
    durationMs: ms(span.duration),
    error: errorOf(tags),
  };
}
