import type { NatsConnection } from "@nats-io/nats-core";
import { TokenVerifier } from "@gavel/auth";
import { createLogger, type Logger } from "@gavel/logging";
import { connectNats } from "@gavel/nats";
import { exitOnFatal } from "./shutdown.ts";

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

/** The logger, the fatal-error handlers, the NATS connection and the token verifier. */
export async function startRuntime(service: string, config: RuntimeConfig): Promise<Runtime> {
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
