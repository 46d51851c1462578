import { authInterceptor, TokenVerifier } from "@gavel/auth";
import { createLogger } from "@gavel/logging";
import { LotStateStore, LotStream, LotWriter } from "@gavel/lot-events";
import { CATALOG_REQUESTS_BUCKET, connectNats, openBucket } from "@gavel/nats";
import { exitOnFatal, onShutdownSignal, startConnectServer } from "@gavel/service";
import { CatalogService } from "@gavel/proto/catalog/v1/catalog";
import { catalogService } from "./catalog-service.ts";
import { readConfig } from "./config.ts";
import { LotIndex } from "./lot-index.ts";
import { LotReadModel } from "./lot-read-model.ts";
import { Projector } from "./projector.ts";

/** How long a CreateLot request id is remembered. */
const REQUEST_ID_TTL_MS = 24 * 3600_000;

const config = readConfig();
const logger = createLogger({ service: "catalog", level: config.LOG_LEVEL });
exitOnFatal(logger);

const nc = await connectNats(
  {
    servers: config.NATS_URL,
    user: config.NATS_USER,
    password: config.NATS_PASSWORD,
    name: "catalog",
  },
  logger,
);
const stream = new LotStream(nc);
await stream.ensureStream(config.GAVEL_STREAM_REPLICAS);
const states = new LotStateStore(stream);
const model = await LotReadModel.open(nc, states, config.GAVEL_KV_REPLICAS);
const requests = await openBucket(nc, CATALOG_REQUESTS_BUCKET, {
  replicas: config.GAVEL_KV_REPLICAS,
  ttl: REQUEST_ID_TTL_MS,
});
const index = new LotIndex();
await index.start(model.kv, logger);
const projector = new Projector(nc, model, logger);
await projector.start();
const verifier = await TokenVerifier.fromPem(config.GAVEL_JWT_PUBLIC_KEY);

const server = await startConnectServer({
  logger,
  host: config.HOST,
  port: config.PORT,
  adminPort: config.ADMIN_PORT,
  interceptors: [authInterceptor(verifier)],
  routes: (router) =>
    router.service(
      CatalogService,
      catalogService({
        stream,
        model,
        requests,
        index,
        writer: new LotWriter(states, stream),
        minLotSeconds: config.GAVEL_MIN_LOT_SECONDS,
      }),
    ),
  isReady: () => index.ready && !nc.isClosed() && !nc.isDraining(),
});

onShutdownSignal(logger, [
  () => server.close(config.SHUTDOWN_GRACE_MS),
  () => projector.stop(),
  async () => index.stop(),
  () => nc.drain(),
]);
