import {
  corsOrigins,
  defaultPorts,
  loadConfig,
  port,
  serviceBase,
  storageReplicas,
  tokenVerification,
  z,
} from "@gavel/config";

const serviceUrl = z.url({ protocol: /^https?$/ });

export const configSchema = z.object({
  ...serviceBase,
  ...tokenVerification,
  ...storageReplicas,
  PORT: port(defaultPorts.push.http),
  /** Bids placed over a socket go to bidding, with the socket's token. */
  GAVEL_BIDDING_URL: serviceUrl.default(`http://127.0.0.1:${defaultPorts.bidding.rpc}`),
  /** Browser origins allowed to open a socket or a stream (the web page's). */
  ...corsOrigins,
  /**
   * Signs the short-lived tickets browsers put in a stream's URL (EventSource and
   * WebSocket cannot send an Authorization header). Every replica needs the same one.
   */
  GAVEL_PUSH_TICKET_SECRET: z.string().min(32, "must be at least 32 characters"),
  /** How long a ticket is good for: long enough to open the stream, no longer. */
  GAVEL_PUSH_TICKET_TTL_SECONDS: z.coerce.number().int().min(5).max(600).default(60),
  /** This replica's name in presence entries; the pod name in Kubernetes. */
  GAVEL_REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, - and _ only")
    .optional(),
  /** The largest message a client may send; larger ones close the socket with 1009. */
  GAVEL_PUSH_MAX_MESSAGE_BYTES: z.coerce.number().int().min(256).max(1_048_576).default(4096),
  /**
   * What a connection may have queued, unsent, before it counts as a slow consumer and
   * is dropped (1013, or the end of an SSE stream) to resume later.
   */
  GAVEL_PUSH_SEND_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .min(16_384)
    .max(64 * 1_048_576)
    .default(1_048_576),
  /** Client messages per second per socket (a burst of twice that is allowed); more: 1008. */
  GAVEL_PUSH_MESSAGES_PER_SECOND: z.coerce.number().min(1).max(10_000).default(20),
  /** Channels one socket may follow at once. */
  GAVEL_PUSH_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(10_000).default(100),
  /** WebSocket ping interval; a peer that missed the previous pong is dropped. */
  GAVEL_PUSH_PING_MS: z.coerce.number().int().min(1_000).max(300_000).default(30_000),
  /** SSE comment heartbeat, shorter than proxies' idle timeouts. */
  GAVEL_PUSH_SSE_HEARTBEAT_MS: z.coerce.number().int().min(1_000).max(300_000).default(15_000),
  /**
   * How the replica follows channels: `per-channel`, an ordered consumer per channel it
   * watches (NATS then sends it nothing of the others), for a replica that watches a
   * small share of them; `shared`, one consumer per kind of channel (lots,
   * notifications) dispatched locally, once it watches most of them: NATS's cost per
   * event grows with the number of consumers on the stream (docs/architecture.md).
   */
  GAVEL_PUSH_FEEDS: z.enum(["per-channel", "shared"]).default("per-channel"),
  /**
   * How often presence entries are renewed; they expire after three missed renewals.
   * Every replica must use the same value: three times it is the presence bucket's TTL.
   */
  GAVEL_PUSH_PRESENCE_RENEW_MS: z.coerce.number().int().min(500).max(300_000).default(10_000),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (): Config => loadConfig(configSchema);
