import { connectServiceSettings, defaultPorts, loadConfig, lotStateCache, z } from "@gavel/config";

export const configSchema = z.object({
  ...connectServiceSettings(defaultPorts.bidding),
  ...lotStateCache,
  /**
   * Messages a BidSession queues for its client; past them its follows and replies wait
   * for the client to read, so a replay goes at the client's pace. Bounds a session's
   * memory: a message is at most a lot event (~20 KB).
   */
  GAVEL_BID_SESSION_QUEUE_SIZE: z.coerce.number().int().min(1).max(100_000).default(256),
  /**
   * How long a full BidSession queue may go without the client reading one message
   * before the call ends with RESOURCE_EXHAUSTED (it reconnects and follows again after
   * the last sequence it saw).
   */
  GAVEL_BID_SESSION_STALL_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** Lots one BidSession may follow at once; a follow past it is refused in the stream. */
  GAVEL_BID_SESSION_MAX_FOLLOWS: z.coerce.number().int().min(1).max(10_000).default(100),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (): Config => loadConfig(configSchema);
