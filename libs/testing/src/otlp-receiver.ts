import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";

/** OTLP's SpanKind numbers, as ReceivedSpan.kind holds them. */
export const OTLP_SPAN_KIND = {
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
} as const;

/** A span as the tests read it, flattened from OTLP/JSON. */
export interface ReceivedSpan {
  service: string;
  instance: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** One of OTLP_SPAN_KIND. */
  kind: number;
  attributes: Record<string, unknown>;
  links: Array<{ traceId: string; spanId: string }>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}

/**
 * A real OTLP/HTTP receiver (JSON encoding) for tests: services started with
 * `receiver.env` export their spans and metrics to it, and a test reads them (spans in
 * full, metrics by name).
 */
export async function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  /** Metric names each service exported, as "service metric". */
  const metrics = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/v1/traces")
        spans.push(...flatten(JSON.parse(Buffer.concat(chunks).toString())));
      if (req.url === "/v1/metrics") {
        for (const name of metricNames(JSON.parse(Buffer.concat(chunks).toString()))) {
          metrics.add(name);
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    spans,
    /** Whether `service` has exported a metric with this name. */
    hasMetric: (service: string, name: string) => metrics.has(`${service} ${name}`),
    /** The environment that points a service's exporters here, exporting quickly. */
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "100",
      OTEL_METRIC_EXPORT_INTERVAL: "1000",
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function flatten(body: {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
  }>;
}): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of body.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          service: String(resource["service.name"]),
          instance: String(resource["service.instance.id"]),
          traceId: String(s.traceId),
          spanId: String(s.spanId),
          parentSpanId: String(s.parentSpanId ?? ""),
          name: String(s.name),
          kind: Number(s.kind),
          attributes: attributesOf(s.attributes as OtlpAttribute[] | undefined),
          links: ((s.links as Array<{ traceId: string; spanId: string }>) ?? []).map((l) => ({
            traceId: l.traceId,
            spanId: l.spanId,
          })),
        });
      }
    }
  }
  return out;
}

function metricNames(body: {
  resourceMetrics?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeMetrics?: Array<{ metrics?: Array<{ name: string }> }>;
  }>;
}): string[] {
  const names: string[] = [];
  for (const rm of body.resourceMetrics ?? []) {
    const service = String(attributesOf(rm.resource?.attributes)["service.name"]);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) names.push(`${service} ${m.name}`);
    }
  }
  return names;
}

function attributesOf(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) {
    out[key] =
      value.stringValue ??
      (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
      value.boolValue ??
      value.doubleValue;
  }
  return out;
}
