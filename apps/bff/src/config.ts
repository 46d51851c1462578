import {
  corsOrigins,
  defaultPorts,
  loadConfig,
  port,
  serviceBase,
  storageReplicas,
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
  ...corsOrigins,
  /** Replication of the persisted-query bucket: 1 locally, 3 in the chart. */
  GAVEL_KV_REPLICAS: storageReplicas.GAVEL_KV_REPLICAS,
  GAVEL_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(100 * 1024),
  /**
   * What one operation may ask for (see src/query-cost.ts for how each is measured). The
   * defaults let the web page's heaviest query (50 lots with sellers, prices and their
   * last bids) through with room to spare, and refuse the classic bombs.
   */
  GAVEL_GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).max(100_000).default(2_000),
  GAVEL_GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(50).default(10),
  GAVEL_GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).max(1_000).default(20),
  GAVEL_GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).max(1_000).default(20),
  GAVEL_GRAPHQL_MAX_COST: z.coerce.number().int().min(10).max(1_000_000).default(5_000),
  /**
   * Whether the loaders batch ids into one call per service and level of the query. Off
   * only to measure what batching saves (bench/fronts/bff-dashboard.bench.ts); ids are still
   * de-duplicated within a request either way.
   */
  GAVEL_GRAPHQL_BATCHING: z.stringbool().default(true),
  /** How long a registered persisted query is kept after its last registration. */
  GAVEL_APQ_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(90 * 24 * 3600)
    .default(7 * 24 * 3600),
  /** How long a client may take to send a whole request. */
  GAVEL_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (): Config => loadConfig(configSchema);
