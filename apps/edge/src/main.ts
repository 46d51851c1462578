import http from "node:http";
import { onShutdownSignal, startRuntime } from "@gavel/service";
import { createEdgeApp } from "./app.ts";
import { readConfig } from "./config.ts";
import { createUpstream } from "./upstream.ts";

const config = readConfig();
const { logger, nc, verifier, natsUp } = await startRuntime("edge", config);

let stopping = false;
const app = createEdgeApp({
  upstream: createUpstream({
    catalog: config.GAVEL_CATALOG_URL,
    bidding: config.GAVEL_BIDDING_URL,
    identity: config.GAVEL_IDENTITY_URL,
  }),
  verifier,
  logger,
  corsOrigins: config.GAVEL_CORS_ORIGINS,
  bodyLimitBytes: config.GAVEL_BODY_LIMIT_BYTES,
  isReady: () => !stopping && natsUp(),
});

const server = http.createServer(
  { requestTimeout: config.GAVEL_REQUEST_TIMEOUT_MS, headersTimeout: 10_000 },
  app,
);
server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout
await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
logger.info({ url: `http://${config.HOST}:${config.PORT}/v1` }, "serving");

onShutdownSignal(logger, [
  async () => {
    stopping = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_GRACE_MS);
    await closed;
    clearTimeout(timer);
  },
  () => nc.drain(),
]);
