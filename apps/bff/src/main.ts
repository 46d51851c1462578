import http from "node:http";
import { upstreamUrlsOf } from "@gavel/config";
import { BFF_PERSISTED_QUERIES_BUCKET, openBucket } from "@gavel/nats";
import { onShutdownSignal, startRuntime } from "@gavel/service";
import { traceRequests } from "@gavel/telemetry";
import { createBffApp } from "./app.ts";
import { readConfig } from "./config.ts";
import { createGraphQLServer } from "./graphql-server.ts";
import { PersistedQueryStore } from "./persisted-queries.ts";
import { createUpstream } from "./upstream.ts";

const config = readConfig();
const { logger, nc, verifier, natsUp } = await startRuntime("bff", config);
const persistedQueries = await openBucket(nc, BFF_PERSISTED_QUERIES_BUCKET, {
  replicas: config.GAVEL_KV_REPLICAS,
  ttl: config.GAVEL_APQ_TTL_SECONDS * 1000,
});

const httpServer = http.createServer({
  requestTimeout: config.GAVEL_REQUEST_TIMEOUT_MS,
  headersTimeout: Math.min(10_000, config.GAVEL_REQUEST_TIMEOUT_MS),
});
httpServer.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout
const graphql = createGraphQLServer({
  httpServer,
  logger,
  production: config.GAVEL_ENV === "production",
  reportUpstreamCalls: config.GAVEL_ENV === "development",
  shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
  maxTokens: config.GAVEL_GRAPHQL_MAX_TOKENS,
  limits: {
    depth: config.GAVEL_GRAPHQL_MAX_DEPTH,
    aliases: config.GAVEL_GRAPHQL_MAX_ALIASES,
    directives: config.GAVEL_GRAPHQL_MAX_DIRECTIVES,
    cost: config.GAVEL_GRAPHQL_MAX_COST,
  },
  persistedQueries: new PersistedQueryStore(persistedQueries, logger),
});
await graphql.start();

let stopping = false;
httpServer.on(
  "request",
  traceRequests(
    createBffApp({
      graphql,
      upstream: createUpstream(upstreamUrlsOf(config)),
      verifier,
      bodyLimitBytes: config.GAVEL_BODY_LIMIT_BYTES,
      batching: config.GAVEL_GRAPHQL_BATCHING,
      corsOrigins: config.GAVEL_CORS_ORIGINS,
      isReady: () => !stopping && natsUp(),
    }),
  ),
);
await new Promise<void>((resolve) => httpServer.listen(config.PORT, config.HOST, resolve));
logger.info({ url: `http://${config.HOST}:${config.PORT}/graphql` }, "serving");

onShutdownSignal(
  logger,
  [
    async () => {
      stopping = true;
      await graphql.stop(); // stops accepting, lets requests finish within the grace period
    },
    () => nc.drain(),
  ],
  { graceMs: config.SHUTDOWN_GRACE_MS },
);
