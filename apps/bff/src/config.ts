import { defaultPorts, loadConfig, port, serviceBase, tokenVerification, z } from "@gavel/config";

const url = z.url({ protocol: /^https?$/ });

export const configSchema = z.object({
  ...serviceBase,
  ...tokenVerification,
  PORT: port(defaultPorts.bff.http),
  /**
   * production turns introspection off. development adds `extensions.upstreamCalls` to
   * every response: the RPCs the request cost, per procedure (what the tests count).
   */
  GAVEL_ENV: z.enum(["development", "production"]).default("development"),
  GAVEL_CATALOG_URL: url.default(`http://127.0.0.1:${defaultPorts.catalog.rpc}`),
  GAVEL_BIDDING_URL: url.default(`http://127.0.0.1:${defaultPorts.bidding.rpc}`),
  GAVEL_IDENTITY_URL: url.default(`http://127.0.0.1:${defaultPorts.identity.rpc}`),
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
