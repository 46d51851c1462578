import { authInterceptor, TokenVerifier } from "@gavel/auth";
import { createLogger } from "@gavel/logging";
import { LotStateStore, LotStream, LotWriter } from "@gavel/lot-events";
import { connectNats } from "@gavel/nats";
import { exitOnFatal, onShutdownSignal, startConnectServer } from "@gavel/service";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { biddingService } from "./bidding-service.ts";
import { readConfig } from "./config.ts";
import { LotCloser } from "./lot-closer.ts";

const config = readConfig();
const logger = createLogger({ service: "bidding", level: config.LOG_LEVEL });
exitOnFatal(logger);

const nc = await connectNats(
  {
    servers: config.NATS_URL,
    user: config.NATS_USER,
    password: config.NATS_PASSWORD,
    name: "bidding",
  },
  logger,
);
const stream = new LotStream(nc);
await stream.ensureStream(config.GAVEL_STREAM_REPLICAS);
const store = new LotStateStore(stream, config.GAVEL_LOT_CACHE_SIZE);
const writer = new LotWriter(store, stream);
const closer = new LotCloser(nc, writer, logger);
await closer.start();
const verifier = await TokenVerifier.fromPem(config.GAVEL_JWT_PUBLIC_KEY);

const server = await startConnectServer({
  logger,
  host: config.HOST,
  port: config.PORT,
  adminPort: config.ADMIN_PORT,
  interceptors: [authInterceptor(verifier)],
  routes: (router) => router.service(BiddingService, biddingService({ writer, store, stream })),
  isReady: () => closer.caughtUp && !nc.isClosed() && !nc.isDraining(),
});

onShutdownSignal(logger, [
  () => server.close(config.SHUTDOWN_GRACE_MS),
  () => closer.stop(),
  () => nc.drain(),
]);
