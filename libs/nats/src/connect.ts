import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "@gavel/logging";

export interface NatsSettings {
  servers: string[];
  user?: string | undefined;
  password?: string | undefined;
  /** Shown in the server's connection list (`nats server report connections`). */
  name: string;
}

/**
 * Connects and keeps reconnecting for as long as the process lives: a NATS restart
 * is a pause, not a crash. Status changes are logged.
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
  return nc;
}
