import {
  corsOrigins,
  defaultPorts,
  loadConfig,
  port,
  serviceBase,
  storageReplicas,
  tokenVerification,
  z,
  upstreamServices,
} from "@gavel/config";

/** The push gateway's URL as clients are given it, or "" for the edge's own origin. */
const pushUrl = z.union([z.literal(""), z.url({ protocol: /^https?$/ })]);

export const configSchema = z.object({
  ...serviceBase,
  ...tokenVerification,
  ...storageReplicas,
  /**
   * Which proxies' X-Forwarded-For to believe for the client address that per-IP limits
   * count: Express's "trust proxy" setting (a hop count, or subnets such as
   * "loopback, uniquelocal" for an in-cluster ingress). Default: loopback only.
   */
  GAVEL_TRUST_PROXY: z
    .string()
    .default("loopback")
    .transform((v): boolean | number | string =>
      v === "true" ? true : v === "false" ? false : /^\d+$/.test(v) ? Number(v) : v,
    ),
  PORT: port(defaultPorts.edge.http),
  ...upstreamServices,
  ...corsOrigins,
  GAVEL_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(64 * 1024),
  /**
   * A certificate and key (PEM files) turn on the TLS listener on GAVEL_HTTPS_PORT, which
   * serves HTTP/2 and HTTP/1.1 (ALPN). In a cluster the ingress terminates TLS instead.
   */
  GAVEL_TLS_CERT_FILE: z.string().min(1).optional(),
  GAVEL_TLS_KEY_FILE: z.string().min(1).optional(),
  GAVEL_HTTPS_PORT: port(8443),
  /** How long a client may take to send a whole request. */
  GAVEL_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
  /** Requests per window for one signed-in user, counted across every edge replica. */
  GAVEL_RATE_LIMIT_PER_USER: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** Requests per window from one client IP, signed in or not. */
  GAVEL_RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(300),
  /**
   * The per-IP limit counts an IPv6 client by this many leading bits of its address:
   * one subscriber usually holds a whole /56 (or /64) and can rotate through it.
   */
  GAVEL_RATE_LIMIT_IPV6_PREFIX: z.coerce.number().int().min(32).max(128).default(56),
  /**
   * The push gateway's public URL (npm start: http://127.0.0.1:8090): the API's `stream`
   * and `websocket` links point there, and so does the page. Empty: relative links, the
   * edge's own origin, where the chart's Ingress serves the gateway too.
   */
  GAVEL_PUSH_PUBLIC_URL: pushUrl.default(""),
  /**
   * The built web page (apps/web/dist), served at / when set. The page reads the next
   * two from /config.json; empty means the edge's own origin (the chart's Ingress).
   */
  GAVEL_WEB_DIR: z.string().min(1).optional(),
  GAVEL_WEB_BFF_URL: z.union([z.literal(""), z.url()]).default(""),
  /** A Jaeger UI the page links bids' traces to. */
  GAVEL_WEB_JAEGER_URL: z.union([z.literal(""), z.url()]).default(""),
  /**
   * Where the web page's spans, POSTed to /otlp/v1/traces as OTLP/HTTP JSON, are relayed
   * (a collector's or Jaeger's OTLP/HTTP traces URL, ending in /v1/traces). Unset: the
   * edge's own exporter settings below decide (relayTarget in src/telemetry/trace-relay.ts).
   */
  GAVEL_WEB_OTLP_TRACES_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * A Jaeger query API (e.g. http://127.0.0.1:16686) that GET /traces/{trace id} reads a
   * trace from, for the page's waterfall. Unset: traces cannot be viewed through the edge.
   */
  GAVEL_TRACE_QUERY_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * The standard OTLP exporter settings the telemetry SDK reads; the edge reads them too,
   * to relay the page's spans to where its own go. Not checked here: the SDK owns them.
   */
  OTEL_TRACES_EXPORTER: z.string().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.string().optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.string().optional(),
  /** Length of the fixed window both limits count in. */
  GAVEL_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
});

export type Config = z.infer<typeof configSchema>;

const tlsPairComplete = (c: {
  GAVEL_TLS_CERT_FILE?: string | undefined;
  GAVEL_TLS_KEY_FILE?: string | undefined;
}) => (c.GAVEL_TLS_CERT_FILE === undefined) === (c.GAVEL_TLS_KEY_FILE === undefined);

export const readConfig = (): Config =>
  loadConfig(
    configSchema.refine(tlsPairComplete, {
      message: "set both GAVEL_TLS_CERT_FILE and GAVEL_TLS_KEY_FILE, or neither",
      path: ["GAVEL_TLS_CERT_FILE"],
    }),
  );
