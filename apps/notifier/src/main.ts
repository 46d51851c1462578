import { LotStateStore, LotStream } from "@gavel/lot-events";
import { DurableWorker } from "@gavel/nats";
import { onShutdownSignal, startRuntime } from "@gavel/service";
import { ClosingSoonTimers } from "./closing-soon-timers.ts";
import { closingSoonWork } from "./closing-soon-work.ts";
import { readConfig } from "./config.ts";
import { serveHealth } from "./health-server.ts";
import { invoiceWork } from "./invoice-work.ts";
import { ensureInvoicesStream } from "./invoices-stream.ts";
import { lotEventWork } from "./lot-event-work.ts";
import { LotWatchers } from "./lot-watchers.ts";
import { NotificationPublisher } from "./notification-publisher.ts";

const config = readConfig();
const runtime = await startRuntime("notifier", config);
const { logger, nc, natsUp } = runtime;

const stream = new LotStream(nc);
await stream.ensureStream(config.GAVEL_STREAM_REPLICAS);
const states = new LotStateStore(stream, config.GAVEL_LOT_CACHE_SIZE);
const publisher = await NotificationPublisher.open(nc, config.GAVEL_STREAM_REPLICAS, logger);
const timers = await ClosingSoonTimers.open(nc, config.GAVEL_STREAM_REPLICAS);
await ensureInvoicesStream(nc, config.GAVEL_STREAM_REPLICAS);
const deps = {
  states,
  publisher,
  timers,
  closingSoonLeadMs: config.GAVEL_CLOSING_SOON_SECONDS * 1000,
};

const workers = [
  new DurableWorker(nc, lotEventWork(deps), logger),
  new DurableWorker(nc, closingSoonWork({ ...deps, watchers: new LotWatchers(nc) }), logger),
  new DurableWorker(nc, invoiceWork(deps), logger),
];
for (const worker of workers) await worker.start();

const health = await serveHealth(
  config.HOST,
  config.PORT,
  () => workers.every((w) => w.running) && natsUp(),
  logger,
);

onShutdownSignal(
  logger,
  [() => Promise.all(workers.map((w) => w.stop())), () => nc.drain(), () => health.close()],
  { graceMs: config.SHUTDOWN_GRACE_MS },
);
