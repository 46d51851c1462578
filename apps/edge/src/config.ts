import { defaultPorts, loadConfig, port, serviceBase, tokenVerification, z } from "@gavel/config";

const url = z.url({ protocol: /^https?$/ });
const list = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);

export const configSchema = z.object({
  ...serviceBase,
  ...tokenVerification,
  PORT: port(defaultPorts.edge.http),
  GAVEL_CATALOG_URL: url.default(`http://127.0.0.1:${defaultPorts.catalog.rpc}`),
  GAVEL_BIDDING_URL: url.default(`http://127.0.0.1:${defaultPorts.bidding.rpc}`),
  GAVEL_IDENTITY_URL: url.default(`http://127.0.0.1:${defaultPorts.identity.rpc}`),
  /** Browser origins allowed by CORS, comma-separated. */
  GAVEL_CORS_ORIGINS: list.default([
    `http://localhost:${defaultPorts.edge.http}`,
    `http://127.0.0.1:${defaultPorts.edge.http}`,
  ]),
  GAVEL_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(64 * 1024),
  /** How long a client may take to send a whole request. */
  GAVEL_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (): Config => loadConfig(configSchema);
