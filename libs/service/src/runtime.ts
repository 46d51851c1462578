import type { NatsConnection } from "@nats-io/nats-core";
import { authInterceptor, TokenVerifier } from "@gavel/auth";
import { createLogger, type Logger } from "@gavel/logging";
import { connectNats } from "@gavel/nats";
import { connectServerTracing, startTelemetry } from "@gavel/telemetry";
import {
  startConnectServer,
  type ConnectServer,
  type ConnectServerOptions,
} from "./connect-server.ts";
import { atShutdownEnd, exitOnFatal } from "./shutdown.ts";

export interface RuntimeConfig {
  LOG_LEVEL: string;
  NATS_URL: string[];
  NATS_USER?: string | undefined;
  NATS_PASSWORD?: string | undefined;
  GAVEL_JWT_PUBLIC_KEY: string;
}

/** What every Gavel service has before it builds its own parts. */
export interface Runtime {
  logger: Logger;
  nc: NatsConnection;
  verifier: TokenVerifier;
  /** False while the NATS connection is closed or draining: the service is not ready. */
  natsUp(): boolean;
}

/**
 * Telemetry first (see @gavel/telemetry; flushed as the last shutdown step), then the
 * logger, the fatal-error handlers, the NATS connection and the token verifier.
 */
export async function startRuntime(service: string, config: RuntimeConfig): Promise<Runtime> {
  const telemetry = await startTelemetry({ service });
  atShutdownEnd(() => telemetry.shutdown());
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  exitOnFatal(logger);
  const nc = await connectNats(
    {
      servers: config.NATS_URL,
      user: config.NATS_USER,
      password: config.NATS_PASSWORD,
      name: service,
    },
    logger,
  );
  const verifier = await TokenVerifier.fromPem(config.GAVEL_JWT_PUBLIC_KEY);
  return { logger, nc, verifier, natsUp: () => !nc.isClosed() && !nc.isDraining() };
}

export interface ListenConfig {
  HOST: string;
  PORT: number;
  ADMIN_PORT: number;
}

/**
 * Serves a service's Connect routes on its configured ports, with every call's token
 * verified by the runtime's verifier.
 */
export function serveConnect(
  runtime: Runtime,
  config: ListenConfig,
  service: Pick<ConnectServerOptions, "routes" | "isReady">,
): Promise<ConnectServer> {
  return startConnectServer({
    logger: runtime.logger,
    host: config.HOST,
    port: config.PORT,
    adminPort: config.ADMIN_PORT,
    // Tracing outermost, so a call the token check refuses is on its span too.
    interceptors: [connectServerTracing(), authInterceptor(runtime.verifier)],
    ...service,
  });
}
