import { TokenIssuer } from "@gavel/auth";
import { onShutdownSignal, serveConnect, startRuntime } from "@gavel/service";
import { IdentityService } from "@gavel/proto/identity/v1/identity";
import { readConfig } from "./config.ts";
import { identityService } from "./identity-service.ts";
import { UserStore } from "./user-store.ts";

const config = readConfig();
const runtime = await startRuntime("identity", config);
const { logger, nc, natsUp } = runtime;

const users = await UserStore.open(nc, config.GAVEL_KV_REPLICAS);
const issuer = await TokenIssuer.fromPem(
  config.GAVEL_JWT_PRIVATE_KEY,
  config.GAVEL_JWT_KEY_ID,
  config.GAVEL_TOKEN_TTL_SECONDS,
);

const server = await serveConnect(runtime, config, {
  routes: (router) => router.service(IdentityService, identityService(users, issuer)),
  isReady: natsUp,
});

onShutdownSignal(logger, [() => server.close(config.SHUTDOWN_GRACE_MS), () => nc.drain()], {
  graceMs: config.SHUTDOWN_GRACE_MS,
});
