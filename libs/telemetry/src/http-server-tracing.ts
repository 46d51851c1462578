import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from "@opentelemetry/api";
import { lazyHistogram } from "./instruments.ts";

const tracer = trace.getTracer("gavel.http");
const duration = lazyHistogram("gavel.http", "http.server.request.duration", {
  unit: "s",
  description: "Duration of inbound HTTP requests, until the response is sent",
});

/** Where an Express app left the route template that matched (`/v1/lots/:id`). */
interface RoutedRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * Server spans for an HTTP request listener (the edge's and the BFF's Express apps, the
 * push gateway's streams), following the HTTP semantic conventions: the caller's
 * context from traceparent as the parent, the handler run inside the span, the route
 * template as its name once routing found one (never the raw path, whose ids would make
 * every span name unique), and the status when the response ends. 5xx is an error.
 */
export function traceRequests<L extends RequestListener>(listener: L): L {
  return ((req: IncomingMessage, res: ServerResponse) => {
    // Probes every few seconds would bury the traces people look for.
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    if (path === "/healthz" || path === "/readyz") return listener(req, res);
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const method = req.method ?? "GET";
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "http.request.method": method,
          "url.path": path,
          "url.scheme": "http",
          "network.protocol.version": req.httpVersion,
          ...(req.headers["user-agent"]
            ? { "user_agent.original": req.headers["user-agent"] }
            : {}),
        },
      },
      parent,
    );
    const started = performance.now();
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      finish(span, req as RoutedRequest, res, method, started);
    };
    res.once("finish", end);
    res.once("close", end);
    streamEnders.set(span, end);
    context.with(trace.setSpan(parent, span), () => listener(req, res));
  }) as L;
}

/** How to end each request's span early, for a response that becomes a stream. */
const streamEnders = new WeakMap<Span, () => void>();

/**
 * Ends the current request's span now, with the status already sent: for a response
 * that stays open as a stream (SSE), whose span would otherwise last as long as the
 * connection, hours in a trace view. What the stream later carries has its own spans.
 */
export function endRequestSpanAtStreamStart(): void {
  const span = trace.getActiveSpan();
  if (span) streamEnders.get(span)?.();
}

/** Routes named by the listeners themselves, by their request's span. */
const namedRoutes = new WeakMap<Span, string>();

/** The span for the current request, to name a route the listener itself decided. */
export function setHttpRoute(route: string): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttribute("http.route", route);
  namedRoutes.set(span, route);
}

function finish(
  span: Span,
  req: RoutedRequest,
  res: ServerResponse,
  method: string,
  started: number,
): void {
  const route =
    typeof req.route?.path === "string" ? `${req.baseUrl ?? ""}${req.route.path}` : undefined;
  if (route) span.setAttribute("http.route", route);
  const status = res.headersSent ? res.statusCode : 499; // the client went away first
  span.setAttribute("http.response.status_code", status);
  const named = route ?? namedRoutes.get(span);
  span.updateName(named ? `${method} ${named}` : method);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
  duration.record((performance.now() - started) / 1000, {
    "http.request.method": method,
    "http.response.status_code": status,
    ...(named ? { "http.route": named } : {}),
  });
}
