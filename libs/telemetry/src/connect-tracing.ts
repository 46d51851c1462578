import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from "@opentelemetry/api";
import { headersGetter, headersSetter } from "./carriers.ts";
import { lazyHistogram } from "./instruments.ts";

const tracer = trace.getTracer("gavel.connect");
/** The conventions' buckets (seconds), as otelconnect records them in settlement. */
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];
const clientDuration = lazyHistogram("gavel.connect", "rpc.client.call.duration", {
  unit: "s",
  description: "Duration of outbound Connect calls, until the last response message",
  advice: { explicitBucketBoundaries: DURATION_BUCKETS },
});
const serverDuration = lazyHistogram("gavel.connect", "rpc.server.call.duration", {
  unit: "s",
  description: "Duration of inbound Connect calls, until the last response message",
  advice: { explicitBucketBoundaries: DURATION_BUCKETS },
});

/** The codes that are the server's fault (the semantic conventions' list for gRPC). */
const SERVER_FAULTS: ReadonlySet<Code> = new Set([
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Unimplemented,
  Code.Internal,
  Code.Unavailable,
  Code.DataLoss,
]);

type Request = Parameters<Parameters<Interceptor>[0]>[0];

/**
 * A call's parent span when it is not the active one: a caller that makes calls for a
 * request outside that request's async context (the BFF's batched loaders) names it.
 */
export const traceParentKey = createContextKey<Context | undefined>(undefined, {
  description: "the trace context a Connect call's client span belongs under",
});

/**
 * Client spans for Connect calls, with the W3C trace context in the request headers, named
 * as otelconnect names them in the Go service so one query finds a call in either language;
 * the stock http instrumentation does not see Node's http2, which Connect runs on.
 * docs/architecture.md#telemetry-libstelemetry
 */
export function connectClientTracing(): Interceptor {
  return (next) => async (req) => {
    const attributes = rpcAttributes(req, "client");
    const parent = req.contextValues.get(traceParentKey) ?? context.active();
    const span = tracer.startSpan(spanName(req), { kind: SpanKind.CLIENT, attributes }, parent);
    const ctx = trace.setSpan(parent, span);
    propagation.inject(ctx, req.header, headersSetter);
    const end = ender(span, attributes, clientDuration, () => true);
    return callInside(ctx, end, () => next(req));
  };
}

/**
 * Server spans for Connect calls: the caller's context from the request headers as the
 * parent, and the handler run inside the span, so what it calls (NATS, other services)
 * joins the trace. Put it first among a server's interceptors, so refusals by the others
 * (a bad token) are on the span too.
 */
export function connectServerTracing(): Interceptor {
  return (next) => async (req) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.header, headersGetter);
    const attributes = rpcAttributes(req, "server");
    const span = tracer.startSpan(spanName(req), { kind: SpanKind.SERVER, attributes }, parent);
    const ctx = trace.setSpan(parent, span);
    const end = ender(span, attributes, serverDuration, (code) => SERVER_FAULTS.has(code));
    return callInside(ctx, end, () => next(req));
  };
}

type Response = Awaited<ReturnType<Parameters<Interceptor>[0]>>;

/** Runs the call inside the span's context; ends the span with it, or with its stream. */
async function callInside(
  ctx: Context,
  end: (err?: unknown) => void,
  call: () => Promise<Response>,
): Promise<Response> {
  try {
    const res = await context.with(ctx, call);
    if (!res.stream) {
      end();
      return res;
    }
    return { ...res, message: finishing(res.message, ctx, end) };
  } catch (err) {
    end(err);
    throw err;
  }
}

/** `gavel.bidding.v1.BiddingService/PlaceBid`, as the conventions name RPC spans. */
function spanName(req: Request): string {
  return `${req.service.typeName}/${req.method.name}`;
}

/**
 * A call's attributes, made once per side, protocol, procedure and URL and shared by its
 * spans and duration records (a client calls a handful of URLs, and parsing one per call
 * costs more than the span); bounded, as a server's request URLs carry the caller's Host.
 * Named as otelconnect names them: docs/architecture.md#telemetry-libstelemetry
 */
const attributeCache = new Map<string, Readonly<Attributes>>();
const ATTRIBUTE_CACHE_SIZE = 512;

function rpcAttributes(req: Request, side: "client" | "server"): Readonly<Attributes> {
  const system = req.header.get("content-type")?.startsWith("application/grpc")
    ? "grpc"
    : "connectrpc";
  const procedure = `${req.service.typeName}/${req.method.name}`;
  const key = `${side}\n${system}\n${procedure}\n${side === "client" ? req.url : ""}`;
  let attributes = attributeCache.get(key);
  if (attributes) return attributes;
  const made: Attributes = { "rpc.system.name": system, "rpc.method": procedure };
  if (side === "client") {
    const url = new URL(req.url);
    made["server.address"] = url.hostname;
    if (url.port) made["server.port"] = Number(url.port);
  }
  attributes = Object.freeze(made);
  if (attributeCache.size >= ATTRIBUTE_CACHE_SIZE) attributeCache.clear();
  attributeCache.set(key, attributes);
  return attributes;
}

/** `NOT_FOUND` for Code.NotFound: gRPC's canonical names, as otelconnect writes them. */
const CODE_NAMES = new Map<Code | undefined, string>([
  [undefined, "OK"],
  ...Object.values(Code)
    .filter((code): code is Code => typeof code === "number")
    .map((code): [Code, string] => [
      code,
      Code[code].replace(/(?<=.)([A-Z])/g, "_$1").toUpperCase(),
    ]),
]);

/** The duration record's attributes: the call's and its outcome, made once per pair. */
const outcomeCache = new WeakMap<Readonly<Attributes>, Map<string, Readonly<Attributes>>>();

function withOutcome(attributes: Readonly<Attributes>, codeName: string): Readonly<Attributes> {
  let byCode = outcomeCache.get(attributes);
  if (!byCode) outcomeCache.set(attributes, (byCode = new Map()));
  let outcome = byCode.get(codeName);
  if (!outcome) {
    outcome = Object.freeze({ ...attributes, ...statusAttributes(codeName) });
    byCode.set(codeName, outcome);
  }
  return outcome;
}

/** The outcome's attributes: its code, and for a failure the same as `error.type`. */
function statusAttributes(codeName: string): Attributes {
  return codeName === "OK"
    ? { "rpc.response.status_code": codeName }
    : { "rpc.response.status_code": codeName, "error.type": codeName };
}

/** Ends a span once, with the outcome's code, and records the call's duration. */
function ender(
  span: Span,
  attributes: Readonly<Attributes>,
  histogram: ReturnType<typeof lazyHistogram>,
  isError: (code: Code) => boolean,
) {
  const started = performance.now();
  let ended = false;
  return (err?: unknown) => {
    if (ended) return;
    ended = true;
    const code = err === undefined ? undefined : ConnectError.from(err).code;
    const codeName = CODE_NAMES.get(code) ?? "UNKNOWN";
    span.setAttributes(statusAttributes(codeName));
    if (code !== undefined && isError(code)) {
      // A Connect error is an outcome of the protocol, not an exception: no stack trace
      // (a refused bid is common, and a stack costs). Anything else keeps its stack.
      if (!(err instanceof ConnectError)) span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: ConnectError.from(err).rawMessage });
    }
    span.end();
    histogram.record((performance.now() - started) / 1000, withOutcome(attributes, codeName));
  };
}

/** The same messages, each pulled inside the span's context, ending the span at the end. */
async function* finishing<T>(
  messages: AsyncIterable<T>,
  ctx: Context,
  end: (err?: unknown) => void,
): AsyncGenerator<T> {
  const iterator = messages[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await context.with(ctx, () => iterator.next());
      if (next.done) break;
      yield next.value;
    }
    end();
  } catch (err) {
    end(err);
    throw err;
  } finally {
    end(); // the consumer stopped early (a client that went away)
    await iterator.return?.();
  }
}
