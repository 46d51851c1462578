import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "@gavel/logging";
import { untilAvailable } from "./unavailable.ts";

export interface NatsSettings {
  servers: string[];
  user?: string | undefined;
  password?: string | undefined;
  /** Shown in the server's connection list (`nats server report connections`). */
  name: string;
}

/**
 * Connects and keeps reconnecting for as long as the process lives: a NATS restart
 * is a pause, not a crash. Status changes are logged. Resolves once JetStream answers
 * (untilJetStream), so what a service creates at start finds it there.
 */
export async function connectNats(settings: NatsSettings, logger: Logger): Promise<NatsConnection> {
  const nc = await connect({
    servers: settings.servers,
    name: settings.name,
    ...(settings.user ? { user: settings.user, pass: settings.password ?? "" } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    // By default nats.js builds two Errors on every request (a JetStream publish, a KV or
    // direct get is one) to keep the caller's stack in case it times out: 6-9% of the
    // catalog's and the edge's CPU on a read (bench:edge under --cpu-prof). A failed call
    // is found by its trace (every NATS hop has a span) and its logged trace id instead.
    noAsyncTraces: true,
  });
  logger.info({ server: nc.getServer() }, "connected to NATS");
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "ping") continue;
      const level = status.type === "error" || status.type === "disconnect" ? "warn" : "info";
      logger[level](
        {
          nats_status: status.type,
          // nats.js v3 puts a server error (a permissions violation...) in `error`.
          ...("error" in status ? { err: status.error } : {}),
          detail: "data" in status ? String(status.data) : undefined,
        },
        "NATS status",
      );
    }
  })();
  await untilJetStream(nc, logger);
  return nc;
}

/**
 * Resolves once JetStream answers for the connection's account. A cluster that has just
 * started answers 503 until its servers have elected a meta leader: a service starting
 * then waits here, not ready, instead of exiting into a restart (the chart's first
 * install on a real cluster restarted every app twice before this).
 */
export async function untilJetStream(nc: NatsConnection, logger: Logger): Promise<void> {
  let failures = 0;
  await untilAvailable(() => jetstreamManager(nc, { timeout: 5_000 }), {
    forMs: Infinity,
    stop: () => nc.isClosed(),
    onRetry: (err, failed) => {
      failures = failed;
      if (failed % 10 === 1) logger.warn({ err, attempt: failed }, "waiting for JetStream");
    },
  });
  if (failures > 0) logger.info({ attempts: failures + 1 }, "JetStream answers");
}

/**
 * JetStream's manager for a connection made by connectNats, which has waited already
 * until JetStream answers: it asks $JS.API.INFO no second time, since that request can
 * still time out while a new cluster settles, and a failed start is a restart.
 */
export function manageJetStream(nc: NatsConnection): Promise<JetStreamManager> {
  return jetstreamManager(nc, { checkAPI: false });
}
