import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { EDGE_IDEMPOTENCY_BUCKET, openBucket } from "@gavel/nats";
import { createUpstream, onShutdownSignal, startRuntime } from "@gavel/service";
import { traceRequests } from "@gavel/telemetry";
import { createEdgeApp, isPageTelemetry } from "./app.ts";
import { startHttp2Front } from "./http/http2-front.ts";
import { upstreamUrlsOf } from "@gavel/config";
import { readConfig } from "./config.ts";
import { ensureRateLimitStream } from "./http/rate-limit.ts";
import { relayTarget, TRACE_RELAY_PATH } from "./telemetry/trace-relay.ts";
import { TRACE_VIEW_PATH } from "./telemetry/trace-view.ts";

const config = readConfig();
const { logger, nc, verifier, natsUp } = await startRuntime("edge", config);
const windowSeconds = config.GAVEL_RATE_LIMIT_WINDOW_SECONDS;
await ensureRateLimitStream(nc, windowSeconds, config.GAVEL_KV_REPLICAS);
const idempotencyRecords = await openBucket(nc, EDGE_IDEMPOTENCY_BUCKET, {
  ttl: 24 * 3600_000,
  replicas: config.GAVEL_KV_REPLICAS,
});

const relay = relayTarget(config);
let stopping = false;
const app = createEdgeApp({
  upstream: createUpstream(upstreamUrlsOf(config)),
  verifier,
  logger,
  corsOrigins: config.GAVEL_CORS_ORIGINS,
  bodyLimitBytes: config.GAVEL_BODY_LIMIT_BYTES,
  trustProxy: config.GAVEL_TRUST_PROXY,
  isReady: () => !stopping && natsUp(),
  rateLimits: {
    nc,
    perUser: config.GAVEL_RATE_LIMIT_PER_USER,
    perIp: config.GAVEL_RATE_LIMIT_PER_IP,
    ipv6PrefixBits: config.GAVEL_RATE_LIMIT_IPV6_PREFIX,
    windowSeconds,
  },
  idempotencyRecords,
  pushPublicUrl: config.GAVEL_PUSH_PUBLIC_URL,
  web: config.GAVEL_WEB_DIR
    ? {
        dir: config.GAVEL_WEB_DIR,
        client: {
          bffUrl: config.GAVEL_WEB_BFF_URL,
          pushUrl: config.GAVEL_PUSH_PUBLIC_URL,
          jaegerUrl: config.GAVEL_WEB_JAEGER_URL,
          otlpTracesUrl: relay ? TRACE_RELAY_PATH : "",
          traceViewUrl: config.GAVEL_TRACE_QUERY_URL ? TRACE_VIEW_PATH : "",
        },
      }
    : undefined,
  traces: { relayTarget: relay, queryUrl: config.GAVEL_TRACE_QUERY_URL },
});

const traced = traceRequests(app);
const listener: http.RequestListener = (req, res) =>
  isPageTelemetry(req.url) ? app(req, res) : traced(req, res);

// A client that sends its request slowly (slowloris) is cut off with 408: headers within
// 10 s, the whole request within GAVEL_REQUEST_TIMEOUT_MS, checked every second.
const server = http.createServer(
  {
    requestTimeout: config.GAVEL_REQUEST_TIMEOUT_MS,
    headersTimeout: Math.min(10_000, config.GAVEL_REQUEST_TIMEOUT_MS),
    connectionsCheckingInterval: 1_000,
  },
  listener,
);
server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout
await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
logger.info(
  {
    url: `http://${config.HOST}:${config.PORT}/v1`,
    pushLinks: config.GAVEL_PUSH_PUBLIC_URL || "relative",
    pageSpansTo: relay ?? "nowhere",
    tracesFrom: config.GAVEL_TRACE_QUERY_URL ?? "nowhere",
  },
  "serving",
);
const tls =
  config.GAVEL_TLS_CERT_FILE && config.GAVEL_TLS_KEY_FILE
    ? await startHttp2Front({
        app,
        appPort: (server.address() as AddressInfo).port,
        host: config.HOST,
        port: config.GAVEL_HTTPS_PORT,
        cert: readFileSync(config.GAVEL_TLS_CERT_FILE),
        key: readFileSync(config.GAVEL_TLS_KEY_FILE),
        logger,
      })
    : undefined;

onShutdownSignal(
  logger,
  [
    async () => {
      stopping = true;
      const closed = Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        tls?.close(config.SHUTDOWN_GRACE_MS),
      ]);
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(timer);
    },
    () => nc.drain(),
  ],
  { graceMs: config.SHUTDOWN_GRACE_MS },
);
