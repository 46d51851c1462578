import { authInterceptor, TokenIssuer } from "@gavel/auth";
import { onShutdownSignal, startConnectServer, startRuntime } from "@gavel/service";
import { IdentityService } from "@gavel/proto/identity/v1/identity";
import { readConfig } from "./config.ts";
import { identityService } from "./identity-service.ts";
import { UserStore } from "./user-store.ts";

const config = readConfig();
const { logger, nc, verifier, natsUp } = await startRuntime("identity", config);

const users = await UserStore.open(nc, config.GAVEL_KV_REPLICAS);
const issuer = await TokenIssuer.fromPem(
  config.GAVEL_JWT_PRIVATE_KEY,
  config.GAVEL_JWT_KEY_ID,
  config.GAVEL_TOKEN_TTL_SECONDS,
);

const server = await startConnectServer({
  logger,
  host: config.HOST,
  port: config.PORT,
  adminPort: config.ADMIN_PORT,
  interceptors: [authInterceptor(verifier)],
  routes: (router) => router.service(IdentityService, identityService(users, issuer)),
  isReady: natsUp,
});

onShutdownSignal(logger, [() => server.close(config.SHUTDOWN_GRACE_MS), () => nc.drain()]);
