import { connectServiceSettings, defaultPorts, loadConfig, lotStateCache, z } from "@gavel/config";

export const configSchema = z.object({
  ...connectServiceSettings(defaultPorts.catalog),
  ...lotStateCache,
  /** Shortest time a new lot may run. Demo stacks and tests lower it to see closes quickly. */
  GAVEL_MIN_LOT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (): Config => loadConfig(configSchema);
