import { hostname } from "node:os";
import { jetstream } from "@nats-io/jetstream";
import { LotStream } from "@gavel/lot-events";
import {
  ensureNotificationsStream,
  openBucket,
  PUSH_PRESENCE_BUCKET,
  manageJetStream,
} from "@gavel/nats";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { createServiceClient, onShutdownSignal, startRuntime } from "@gavel/service";
import { readConfig } from "./config.ts";
import { FeedHub } from "./feeds/feed-hub.ts";
import { Presence } from "./presence.ts";
import { observeConnections } from "./push-metrics.ts";
import { createPushServer } from "./push-server.ts";
import { TicketBook } from "./access/tickets.ts";
import { TraceClaims } from "./tracing/trace-claims.ts";

const config = readConfig();
const { logger, nc, verifier, natsUp } = await startRuntime("push", config);
const replica =
  config.GAVEL_REPLICA_ID ?? `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, "-");

const jsm = await manageJetStream(nc);
// The streams the channels read, whichever service comes up first in a new cluster.
await new LotStream(nc).ensureStream(config.GAVEL_STREAM_REPLICAS);
await ensureNotificationsStream(jsm, config.GAVEL_STREAM_REPLICAS);
// Who may continue which trace: one table for every feed and session of the replica.
const claims = new TraceClaims();
const hub = new FeedHub(jetstream(nc), jsm, logger, config.GAVEL_PUSH_FEEDS, claims);
const presenceBucket = await openBucket(nc, PUSH_PRESENCE_BUCKET, {
  replicas: config.GAVEL_KV_REPLICAS,
  ttl: 3 * config.GAVEL_PUSH_PRESENCE_RENEW_MS,
});
const presence = new Presence(presenceBucket, replica, logger);
presence.start(config.GAVEL_PUSH_PRESENCE_RENEW_MS);

const push = createPushServer({
  hub,
  presence,
  verifier,
  bidding: createServiceClient(BiddingService, config.GAVEL_BIDDING_URL),
  tickets: new TicketBook(config.GAVEL_PUSH_TICKET_SECRET, config.GAVEL_PUSH_TICKET_TTL_SECONDS),
  allowedOrigins: config.GAVEL_CORS_ORIGINS,
  maxMessageBytes: config.GAVEL_PUSH_MAX_MESSAGE_BYTES,
  limits: {
    sendBufferBytes: config.GAVEL_PUSH_SEND_BUFFER_BYTES,
    messagesPerSecond: config.GAVEL_PUSH_MESSAGES_PER_SECOND,
    maxSubscriptions: config.GAVEL_PUSH_MAX_SUBSCRIPTIONS,
    pingMs: config.GAVEL_PUSH_PING_MS,
    sseHeartbeatMs: config.GAVEL_PUSH_SSE_HEARTBEAT_MS,
  },
  replica,
  claims,
  logger,
  isReady: natsUp,
});
observeConnections(push.connections);
await new Promise<void>((resolve) => push.server.listen(config.PORT, config.HOST, resolve));
logger.info({ url: `http://${config.HOST}:${config.PORT}`, replica }, "serving");

onShutdownSignal(
  logger,
  [
    () => push.drain(config.SHUTDOWN_GRACE_MS),
    () => hub.stop(),
    () => presence.stop(),
    () => nc.drain(),
  ],
  { graceMs: config.SHUTDOWN_GRACE_MS },
);
