import {
  defaultPorts,
  loadConfig,
  port,
  serviceBase,
  tokenVerification,
  upstreamServices,
  z,
} from "@gavel/config";

export const configSchema = z.object({
  ...serviceBase,
  ...tokenVerification,
  PORT: port(defaultPorts.bff.http),
  /**
   * production turns introspection off. development adds `extensions.upstreamCalls` to
   * every response: the RPCs the request cost, per procedure (what the tests count).
   */
  GAVEL_ENV: z.enum(["development", "production"]).default("development"),
  ...upstreamServices,
  GAVEL_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(100 * 1024),
  /** How long a client may take to send a whole request. */
  GAVEL_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (): Config => loadConfig(configSchema);
