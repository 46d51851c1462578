import { connectServiceSettings, defaultPorts, loadConfig, pem, z } from "@gavel/config";

export const configSchema = z.object({
  ...connectServiceSettings(defaultPorts.identity),
  /** The Ed25519 key that signs access tokens (PKCS#8 PEM). Only identity holds it. */
  GAVEL_JWT_PRIVATE_KEY: pem("PRIVATE KEY"),
  /** Goes into each token's header, so keys can be rotated. */
  GAVEL_JWT_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .default("gavel-1"),
  GAVEL_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (): Config => loadConfig(configSchema);
