import { Problem } from "../http/problem.ts";

/** The only service.name the relay takes: the web page's (apps/web). */
export const PAGE_SERVICE_NAME = "web";
/** More spans than a page's batch exporter sends at once (512 is its default batch). */
export const MAX_RELAYED_SPANS = 512;

const TRACE_ID = /^[0-9a-fA-F]{32}$/;
const SPAN_ID = /^[0-9a-fA-F]{16}$/;

/**
 * Checks a parsed OTLP/HTTP JSON ExportTraceServiceRequest before it is relayed: the
 * shape a collector needs, at most MAX_RELAYED_SPANS spans, and only the page's own
 * resources, so a browser cannot write spans in the name of `bidding` or any other
 * service. Throws a Problem that says what is wrong and where; answers the span count.
 */
export function checkExportRequest(body: unknown): number {
  if (!isObject(body) || !Array.isArray(body.resourceSpans))
    throw invalid("the body is not an ExportTraceServiceRequest: it has no resourceSpans array");
  let spans = 0;
  body.resourceSpans.forEach((resourceSpans: unknown, i) => {
    const at = `resourceSpans[${i}]`;
    if (!isObject(resourceSpans)) throw invalid(`${at} is not an object`);
    const service = serviceNameOf(resourceSpans.resource);
    if (service !== PAGE_SERVICE_NAME)
      throw new Problem(
        400,
        "foreign-spans",
        "Only the web page's spans are relayed",
        `${at}.resource has service.name ${service === undefined ? "missing" : JSON.stringify(service)}; the relay takes "${PAGE_SERVICE_NAME}" only`,
      );
    spans += countSpans(resourceSpans.scopeSpans, at);
    if (spans > MAX_RELAYED_SPANS)
      throw new Problem(
        413,
        "too-many-spans",
        "Too many spans",
        `at most ${MAX_RELAYED_SPANS} spans per request; send them in smaller batches`,
      );
  });
  return spans;
}

function countSpans(scopeSpans: unknown, at: string): number {
  if (scopeSpans === undefined) return 0; // proto3 JSON leaves out empty fields
  if (!Array.isArray(scopeSpans)) throw invalid(`${at}.scopeSpans is not an array`);
  let count = 0;
  scopeSpans.forEach((scope: unknown, j) => {
    if (!isObject(scope)) throw invalid(`${at}.scopeSpans[${j}] is not an object`);
    if (scope.spans === undefined) return;
    if (!Array.isArray(scope.spans)) throw invalid(`${at}.scopeSpans[${j}].spans is not an array`);
    scope.spans.forEach((span: unknown, k) =>
      checkSpan(span, `${at}.scopeSpans[${j}].spans[${k}]`),
    );
    count += scope.spans.length;
  });
  return count;
}

function checkSpan(span: unknown, at: string): void {
  if (!isObject(span)) throw invalid(`${at} is not an object`);
  if (typeof span.traceId !== "string" || !TRACE_ID.test(span.traceId))
    throw invalid(`${at}.traceId is not 32 hexadecimal digits`);
  if (typeof span.spanId !== "string" || !SPAN_ID.test(span.spanId))
    throw invalid(`${at}.spanId is not 16 hexadecimal digits`);
  const parent = span.parentSpanId;
  if (
    parent !== undefined &&
    parent !== "" &&
    (typeof parent !== "string" || !SPAN_ID.test(parent))
  )
    throw invalid(`${at}.parentSpanId is not 16 hexadecimal digits`);
  if (typeof span.name !== "string") throw invalid(`${at}.name is not a string`);
}

/**
 * The resource's service.name: the first that is not the page's, if any, since a
 * collector may keep any one of duplicated keys; undefined when there is none.
 */
function serviceNameOf(resource: unknown): unknown {
  if (!isObject(resource) || !Array.isArray(resource.attributes)) return undefined;
  const names = resource.attributes
    .filter((a: unknown): a is Record<string, unknown> => isObject(a) && a.key === "service.name")
    .map((a) => (isObject(a.value) ? a.value.stringValue : undefined));
  return names.find((name) => name !== PAGE_SERVICE_NAME) ?? names[0];
}

function invalid(detail: string): Problem {
  return new Problem(400, "invalid-spans", "Not an OTLP trace export request", detail);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
