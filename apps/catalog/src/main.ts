import { LotStateStore, LotStream, LotWriter } from "@gavel/lot-events";
import { CATALOG_REQUESTS_BUCKET, DurableWorker, openBucket } from "@gavel/nats";
import { onShutdownSignal, serveConnect, startRuntime } from "@gavel/service";
import { CatalogService } from "@gavel/proto/catalog/v1/catalog";
import { catalogService } from "./api/catalog-service.ts";
import { readConfig } from "./config.ts";
import { BidderIndex } from "./bidders/bidder-index.ts";
import { BidderReadModel } from "./bidders/bidder-read-model.ts";
import { KvMirror } from "./projection/kv-mirror.ts";
import { LotIndex } from "./lots/lot-index.ts";
import { LotReadModel } from "./lots/lot-read-model.ts";
import { projectorWork } from "./projection/projector.ts";
import { WatchIndex } from "./watches/watch-index.ts";
import { WatchStore } from "./watches/watch-store.ts";

/** How long a CreateLot request id is remembered. */
const REQUEST_ID_TTL_MS = 24 * 3600_000;

const config = readConfig();
const runtime = await startRuntime("catalog", config);
const { logger, nc, natsUp } = runtime;

const stream = new LotStream(nc);
await stream.ensureStream(config.GAVEL_STREAM_REPLICAS);
const states = new LotStateStore(stream, config.GAVEL_LOT_CACHE_SIZE);
const model = await LotReadModel.open(nc, states, config.GAVEL_KV_REPLICAS);
const requests = await openBucket(nc, CATALOG_REQUESTS_BUCKET, {
  replicas: config.GAVEL_KV_REPLICAS,
  ttl: REQUEST_ID_TTL_MS,
});
const bidderModel = await BidderReadModel.open(nc, config.GAVEL_KV_REPLICAS);
const watchStore = await WatchStore.open(nc, config.GAVEL_KV_REPLICAS);

const index = new LotIndex();
const watches = new WatchIndex();
const bidders = new BidderIndex();
const mirrors = await Promise.all([
  KvMirror.start(model.kv, index, logger),
  KvMirror.start(watchStore.kv, watches, logger),
  KvMirror.start(bidderModel.kv, bidders, logger),
]);
const projector = new DurableWorker(nc, projectorWork(model, bidderModel), logger);
await projector.start();

const service = catalogService({
  stream,
  model,
  requests,
  index,
  watches,
  watchStore,
  bidders,
  writer: new LotWriter(states, stream),
  minLotSeconds: config.GAVEL_MIN_LOT_SECONDS,
});
const server = await serveConnect(runtime, config, {
  routes: (router) => router.service(CatalogService, service),
  isReady: () => mirrors.every((m) => m.ready) && natsUp(),
});

onShutdownSignal(
  logger,
  [
    () => server.close(config.SHUTDOWN_GRACE_MS),
    () => projector.stop(),
    async () => mirrors.forEach((m) => m.stop()),
    () => nc.drain(),
  ],
  { graceMs: config.SHUTDOWN_GRACE_MS },
);
