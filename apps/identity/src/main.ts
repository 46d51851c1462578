import { authInterceptor, TokenIssuer, TokenVerifier } from "@gavel/auth";
import { createLogger } from "@gavel/logging";
import { connectNats } from "@gavel/nats";
import { exitOnFatal, onShutdownSignal, startConnectServer } from "@gavel/service";
import { IdentityService } from "@gavel/proto/identity/v1/identity";
import { readConfig } from "./config.ts";
import { identityService } from "./identity-service.ts";
import { UserStore } from "./user-store.ts";

const config = readConfig();
const logger = createLogger({ service: "identity", level: config.LOG_LEVEL });
exitOnFatal(logger);

const nc = await connectNats(
  {
    servers: config.NATS_URL,
    user: config.NATS_USER,
    password: config.NATS_PASSWORD,
    name: "identity",
  },
  logger,
);
const users = await UserStore.open(nc, config.GAVEL_KV_REPLICAS);
const issuer = await TokenIssuer.fromPem(
  config.GAVEL_JWT_PRIVATE_KEY,
  config.GAVEL_JWT_KEY_ID,
  config.GAVEL_TOKEN_TTL_SECONDS,
);
const verifier = await TokenVerifier.fromPem(config.GAVEL_JWT_PUBLIC_KEY);

const server = await startConnectServer({
  logger,
  host: config.HOST,
  port: config.PORT,
  adminPort: config.ADMIN_PORT,
  interceptors: [authInterceptor(verifier)],
  routes: (router) => router.service(IdentityService, identityService(users, issuer)),
  isReady: () => !nc.isClosed() && !nc.isDraining(),
});

onShutdownSignal(logger, [() => server.close(config.SHUTDOWN_GRACE_MS), () => nc.drain()]);
