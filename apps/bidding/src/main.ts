import { LotStateStore, LotStream, LotWriter } from "@gavel/lot-events";
import { onShutdownSignal, serveConnect, startRuntime } from "@gavel/service";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { biddingService } from "./bidding-service.ts";
import { readConfig } from "./config.ts";
import { LotCloser } from "./lot-closer.ts";

const config = readConfig();
const runtime = await startRuntime("bidding", config);
const { logger, nc, natsUp } = runtime;

const stream = new LotStream(nc);
await stream.ensureStream(config.GAVEL_STREAM_REPLICAS);
const store = new LotStateStore(stream, config.GAVEL_LOT_CACHE_SIZE);
const writer = new LotWriter(store, stream);
const closer = new LotCloser(nc, writer, logger);
await closer.start();

const server = await serveConnect(runtime, config, {
  routes: (router) =>
    router.service(
      BiddingService,
      biddingService({
        writer,
        store,
        stream,
        logger,
        limits: {
          queueSize: config.GAVEL_BID_SESSION_QUEUE_SIZE,
          stallMs: config.GAVEL_BID_SESSION_STALL_MS,
          maxFollows: config.GAVEL_BID_SESSION_MAX_FOLLOWS,
        },
      }),
    ),
  isReady: () => closer.caughtUp && natsUp(),
});

onShutdownSignal(
  logger,
  [() => server.close(config.SHUTDOWN_GRACE_MS), () => closer.stop(), () => nc.drain()],
  { graceMs: config.SHUTDOWN_GRACE_MS },
);
