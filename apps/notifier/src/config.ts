import {
  defaultPorts,
  loadConfig,
  lotStateCache,
  port,
  serviceBase,
  storageReplicas,
  tokenVerification,
  z,
} from "@gavel/config";

export const configSchema = z.object({
  ...serviceBase,
  // The notifier verifies no tokens, but the shared runtime loads a verifier for every
  // service; the key is public and already in every service's environment.
  ...tokenVerification,
  ...storageReplicas,
  ...lotStateCache,
  /** /healthz and /readyz: the notifier serves nothing else. */
  PORT: port(defaultPorts.notifier.http),
  /**
   * How long before a lot's end its watchers and bidders hear that it closes soon. A lot
   * listed with less time left than this gets no such notification.
   */
  GAVEL_CLOSING_SOON_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (): Config => loadConfig(configSchema);
