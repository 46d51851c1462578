export { parseConfig, loadConfig, ConfigError } from "./load-config.ts";
export {
  port,
  pem,
  serviceBase,
  storageReplicas,
  lotStateCache,
  tokenVerification,
  connectServiceSettings,
  upstreamServices,
  upstreamUrlsOf,
  commaList,
  corsOrigins,
} from "./schemas.ts";
export { defaultPorts } from "./ports.ts";
export { z } from "zod";
