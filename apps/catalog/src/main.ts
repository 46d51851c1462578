import { LotStateStore, LotStream, LotWriter } from "@gavel/lot-events";
import { CATALOG_REQUESTS_BUCKET, openBucket } from "@gavel/nats";
import { onShutdownSignal, serveConnect, startRuntime } from "@gavel/service";
import { CatalogService } from "@gavel/proto/catalog/v1/catalog";
import { catalogService } from "./catalog-service.ts";
import { readConfig } from "./config.ts";
import { LotIndex } from "./lot-index.ts";
import { LotReadModel } from "./lot-read-model.ts";
import { Projector } from "./projector.ts";

/** How long a CreateLot request id is remembered. */
const REQUEST_ID_TTL_MS = 24 * 3600_000;

const config = readConfig();
const runtime = await startRuntime("catalog", config);
const { logger, nc, natsUp } = runtime;

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

const service = catalogService({
  stream,
  model,
  requests,
  index,
  writer: new LotWriter(states, stream),
  minLotSeconds: config.GAVEL_MIN_LOT_SECONDS,
});
const server = await serveConnect(runtime, config, {
  routes: (router) => router.service(CatalogService, service),
  isReady: () => index.ready && natsUp(),
});

onShutdownSignal(logger, [
  () => server.close(config.SHUTDOWN_GRACE_MS),
  () => projector.stop(),
  async () => index.stop(),
  () => nc.drain(),
]);
