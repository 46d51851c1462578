import type { MsgHdrs } from "@nats-io/nats-core";
import { TraceFlags, type SpanContext } from "@opentelemetry/api";

/** Version 00 of W3C trace context: trace id, parent span id and flags, lowercase hex. */
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const INVALID_TRACE_ID = "0".repeat(32);
const INVALID_SPAN_ID = "0".repeat(16);

/**
 * The span context in a `traceparent` value a client sent with a message; undefined for
 * anything else (another type, another shape or version, all-zero ids), which callers
 * ignore: a client's trace context never fails the work it came with.
 */
export function parseTraceparent(value: unknown): SpanContext | undefined {
  if (typeof value !== "string" || value.length !== 55 || !TRACEPARENT.test(value)) {
    return undefined;
  }
  const traceId = value.slice(3, 35);
  const spanId = value.slice(36, 52);
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return undefined;
  const traceFlags = Number.parseInt(value.slice(53), 16) & TraceFlags.SAMPLED;
  return { traceId, spanId, traceFlags, isRemote: true };
}

/**
 * The trace id of the request that published a stored message, from its `traceparent`
 * header (written by tracePublish); undefined when it carries none.
 */
export function traceIdOf(headers: MsgHdrs | undefined): string | undefined {
  return parseTraceparent(headers?.get("traceparent"))?.traceId;
}
