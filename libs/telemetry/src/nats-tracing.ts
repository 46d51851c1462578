import { headers as natsHeaders, type MsgHdrs } from "@nats-io/nats-core";
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from "@opentelemetry/api";

const tracer = trace.getTracer("gavel.nats");

const setter: TextMapSetter<MsgHdrs> = { set: (h, key, value) => h.set(key, value) };
const getter: TextMapGetter<MsgHdrs> = {
  get: (h, key) => (h.has(key) ? h.get(key) : undefined),
  keys: (h) => h.keys(),
};

/** What the messaging conventions call a destination: a subject and its template. */
export interface Destination {
  /** The subject with its ids, e.g. gavel.lot.0193... */
  subject: string;
  /** The same without ids, e.g. gavel.lot.{lot_id}: span names must not be unique. */
  template: string;
}

/**
 * A producer span for a publish (a JetStream append), with the trace context injected
 * into the message's headers, so whoever consumes the message continues the trace.
 */
export async function tracePublish<T>(
  destination: Destination,
  publish: (headers: MsgHdrs) => Promise<T>,
  base: MsgHdrs = natsHeaders(),
): Promise<T> {
  const span = tracer.startSpan(`send ${destination.template}`, {
    kind: SpanKind.PRODUCER,
    attributes: attributes(destination, "send"),
  });
  const ctx = trace.setSpan(context.active(), span);
  propagation.inject(ctx, base, setter);
  try {
    return await context.with(ctx, () => publish(base));
  } catch (err) {
    fail(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/**
 * A consumer span for processing one message, parented to the span that published it,
 * with the processing run inside it.
 */
export async function traceProcess<T>(
  destination: Destination,
  headers: MsgHdrs | undefined,
  process: () => Promise<T>,
  extra: { consumer?: string; sequence?: number } = {},
): Promise<T> {
  const span = tracer.startSpan(
    `process ${destination.template}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...attributes(destination, "process"),
        ...(extra.consumer ? { "messaging.consumer.group.name": extra.consumer } : {}),
        ...(extra.sequence ? { "messaging.message.id": String(extra.sequence) } : {}),
      },
    },
    contextOf(headers),
  );
  try {
    return await context.with(trace.setSpan(context.active(), span), process);
  } catch (err) {
    fail(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/**
 * A consumer span for handing one message to many local receivers (the push gateway's
 * fan-out), parented to the publisher's span. `deliver` runs inside it and calls `done`
 * once the last receiver has the message, at once or in a later turn of the event loop
 * (a large fan-out yields between slices): the span ends there, or when `deliver` throws.
 */
export function traceDeliver(
  destination: Destination,
  headers: MsgHdrs | undefined,
  receivers: number,
  deliver: (done: () => void) => void,
): void {
  const span = tracer.startSpan(
    `deliver ${destination.template}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...attributes(destination, "process"),
        "messaging.operation.name": "deliver",
        "gavel.push.receivers": receivers,
      },
    },
    contextOf(headers),
  );
  try {
    context.with(trace.setSpan(context.active(), span), deliver, undefined, () => span.end());
  } catch (err) {
    // Unless it had already called done: an ended span records nothing more.
    if (span.isRecording()) {
      fail(span, err);
      span.end();
    }
    throw err;
  }
}

/** The trace context a message carries; the root context when it carries none. */
export function contextOf(headers: MsgHdrs | undefined): Context {
  return headers ? propagation.extract(ROOT_CONTEXT, headers, getter) : ROOT_CONTEXT;
}

/** A link to the span that published a message, for work that serves many messages. */
export function linkTo(headers: MsgHdrs | undefined): Link[] {
  const spanContext = trace.getSpanContext(contextOf(headers));
  return spanContext ? [{ context: spanContext }] : [];
}

function attributes(destination: Destination, operation: "send" | "process") {
  return {
    "messaging.system": "nats",
    "messaging.operation.type": operation,
    "messaging.destination.name": destination.subject,
    "messaging.destination.template": destination.template,
  };
}

function fail(span: Span, err: unknown): void {
  span.recordException(err as Error);
  span.setStatus({ code: SpanStatusCode.ERROR });
}
