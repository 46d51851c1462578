import compression from "compression";
import cors from "cors";
import express, { type Express, type RequestHandler } from "express";
import helmet from "helmet";
import type { KV } from "@nats-io/kv";
import type { TokenVerifier } from "@gavel/auth";
import type { Logger } from "@gavel/logging";
import { answerHealth } from "@gavel/service";
import { authenticate } from "./http/authentication.ts";
import { idempotency } from "./http/idempotency.ts";
import { openApiRoutes } from "./openapi/openapi-routes.ts";
import { Problem, problemHandler } from "./http/problem.ts";
import { rateLimits, type RateLimitSettings } from "./http/rate-limit.ts";
import { bidRoutes } from "./routes/bids.ts";
import { importRoutes } from "./routes/import.ts";
import { invoiceRoutes } from "./routes/invoices.ts";
import { lotRoutes } from "./routes/lots.ts";
import { rootRoutes } from "./routes/root.ts";
import { userRoutes } from "./routes/users.ts";
import { TRACE_RELAY_PATH, traceRelay } from "./telemetry/trace-relay.ts";
import { TRACE_VIEW_PATH, traceView } from "./telemetry/trace-view.ts";
import { pushPaths } from "./api/push-paths.ts";
import type { Upstream } from "./api/upstream.ts";
import { webApp, type WebAppOptions } from "./web/web-app.ts";

export interface EdgeOptions {
  upstream: Upstream;
  verifier: TokenVerifier;
  logger: Logger;
  /** Origins allowed to call the API from a browser. */
  corsOrigins: string[];
  /** Largest JSON body accepted. */
  bodyLimitBytes: number;
  /** Express's "trust proxy": whose X-Forwarded-For gives the client address. */
  trustProxy: boolean | number | string;
  /** /readyz answers 503 while this returns false. */
  isReady: () => boolean;
  /** Per-user and per-IP limits, counted in NATS KV across replicas. */
  rateLimits: Omit<RateLimitSettings, "logger">;
  /** Where responses to requests with an Idempotency-Key are recorded. */
  idempotencyRecords: KV;
  /** The push gateway's public URL, which live-feed links point at; "" for relative links. */
  pushPublicUrl: string;
  /** The web page to serve at /, if any. */
  web?: WebAppOptions | undefined;
  /**
   * The page's trace routes: where POST /otlp/v1/traces relays its spans, and the Jaeger
   * GET /traces/{id} reads from. Either undefined answers its route with a 404 problem.
   */
  traces?: { relayTarget: string | undefined; queryUrl: string | undefined } | undefined;
}

export const EXPOSED_HEADERS = [
  "ETag",
  "Link",
  "Location",
  "Retry-After",
  "RateLimit",
  "RateLimit-Policy",
  "Idempotent-Replayed",
];

export function createEdgeApp(options: EdgeOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", options.trustProxy);
  app.set("etag", false); // strong ETags come from resource versions, not body hashes
  app.set("query parser", "simple"); // no nested objects from ?a[b]=c

  app.use((req, res, next) => void (answerHealth(req, res, options.isReady) || next()));

  app.use(helmet());
  app.use(
    cors({
      origin: (origin, callback) =>
        callback(null, origin === undefined || options.corsOrigins.includes(origin)),
      // The methods /v1 takes: a preflight offers no more than the API has.
      methods: ["GET", "HEAD", "POST"],
      exposedHeaders: EXPOSED_HEADERS,
      allowedHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match"],
      maxAge: 600,
    }),
  );
  app.use(compression({ threshold: 1024 }));
  const limits = rateLimits({ ...options.rateLimits, logger: options.logger });
  // Before the JSON parser: the relay takes larger bodies, and passes them on as sent.
  app.use(
    TRACE_RELAY_PATH,
    limits.perIp,
    traceRelay({ target: options.traces?.relayTarget, logger: options.logger }),
  );
  app.use(TRACE_VIEW_PATH, limits.perIp, traceView({ queryUrl: options.traces?.queryUrl }));
  app.use(express.json({ limit: options.bodyLimitBytes, strict: true, type: "application/json" }));

  const push = pushPaths(options.pushPublicUrl);
  app.use(
    "/v1",
    limits.perIp,
    authenticate(options.verifier),
    limits.perUser,
    idempotency(options.idempotencyRecords, options.logger),
  );
  app.use(
    "/v1",
    rootRoutes(push),
    openApiRoutes(),
    importRoutes(options.upstream, options.logger, push), // before /lots/:id
    lotRoutes(options.upstream, push),
    bidRoutes(options.upstream),
    invoiceRoutes(options.upstream),
    userRoutes(options.upstream),
  );
  if (options.web) app.use(webApp(options.web));
  app.use(notFound);
  app.use(problemHandler(options.logger));
  return app;
}

/**
 * Whether a request is the page's telemetry (its spans relayed, a trace read for its
 * waterfall): the server traces no such request, as each would be a trace of its own,
 * burying the ones people look for.
 */
export function isPageTelemetry(url = ""): boolean {
  const path = url.split("?", 1)[0]!;
  return [TRACE_RELAY_PATH, TRACE_VIEW_PATH].some((p) => path === p || path.startsWith(`${p}/`));
}

const notFound: RequestHandler = (req) => {
  throw new Problem(404, "not-found", "Not found", `nothing at ${req.path}; start at /v1`);
};
