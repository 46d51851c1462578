import {
  defaultPorts,
  loadConfig,
  port,
  serviceBase,
  storageReplicas,
  tokenVerification,
  z,
} from "@gavel/config";

export const configSchema = z.object({
  ...serviceBase,
  ...tokenVerification,
  ...storageReplicas,
  PORT: port(defaultPorts.catalog.rpc),
  ADMIN_PORT: port(defaultPorts.catalog.admin),
  /** Shortest time a new lot may run. Demo stacks and tests lower it to see closes quickly. */
  GAVEL_MIN_LOT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (): Config => loadConfig(configSchema);
