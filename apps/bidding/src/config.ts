import { connectServiceSettings, defaultPorts, loadConfig, z } from "@gavel/config";

export const configSchema = z.object({
  ...connectServiceSettings(defaultPorts.bidding),
  /** Lot states kept in memory per replica; the rest are re-read from the stream. */
  GAVEL_LOT_CACHE_SIZE: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (): Config => loadConfig(configSchema);
