import "./provided-context.ts";

export { startNatsServer } from "./nats-server.ts";
export type { NatsServerHandle } from "./nats-server.ts";
export { startService, repoRoot } from "./service-process.ts";
export type { ServiceProcess, AppName } from "./service-process.ts";
export { testKeys, mintToken, authHeader, serviceEnv } from "./test-identity.ts";
export { connectClient, grpcClient } from "./connect-client.ts";
export { freePort } from "./free-port.ts";
export { rawH2Request } from "./raw-h2.ts";
export type { RawResponse } from "./raw-h2.ts";
export { NATS_SERVER_VERSION, toolsDir } from "./tools.ts";
