import { join, resolve } from "node:path";
import { devKeys } from "./dev-keys.ts";
import { localJaeger } from "./local-jaeger.ts";
import type { LocalStackOptions } from "./local-stack.ts";
import type { PortNeed } from "./port-holder.ts";

/**
 * How npm start wires its processes: what each is given in its environment, and every
 * port the stack listens on. The services' settings are theirs (each app's config.ts);
 * this says only which values the local stack gives them.
 */

/** The Connect services, started first; settlement is the Go one. */
export const CONNECT_SERVICES = ["identity", "catalog", "bidding", "settlement"] as const;

/** What every service gets: the shell's settings, NATS, the dev keys, OTEL_*, Node's cache. */
export function baseEnv(
  options: LocalStackOptions,
  natsUrl: string,
  toLocalJaeger: boolean,
): Record<string, string> {
  const { env: shell, ports } = options;
  const keys = devKeys(join(options.stateDir, "dev-keys.json"));
  return {
    // The services' own settings from the shell (GAVEL_RATE_LIMIT_PER_IP for a loadgen
    // benchmark, say); what is wired here wins over them.
    ...prefixed(shell, "GAVEL_"),
    NATS_URL: natsUrl,
    GAVEL_JWT_PUBLIC_KEY: keys.publicKeyPem,
    GAVEL_JWT_PRIVATE_KEY: keys.privateKeyPem,
    GAVEL_MIN_LOT_SECONDS: shell.GAVEL_MIN_LOT_SECONDS ?? "10",
    // The page's origins, for the BFF's and the push gateway's CORS.
    GAVEL_CORS_ORIGINS:
      shell.GAVEL_CORS_ORIGINS ??
      `http://localhost:${ports.edge.http},http://127.0.0.1:${ports.edge.http}`,
    LOG_LEVEL: shell.LOG_LEVEL ?? "info",
    ...otelEnv(shell, toLocalJaeger),
    ...compileCacheEnv(options),
  };
}

/**
 * Node's compile cache for every Node process of the stack: a second start neither
 * compiles nor strips types again, and never loads the type stripper (some 17 MiB a
 * process). npm start's own launcher is given the same directory by the npm script.
 * Why, and what it is worth: docs/benchmarks.md#local-stack-memory-and-start-time
 */
export function compileCacheEnv(
  options: Pick<LocalStackOptions, "env" | "stateDir">,
): Record<string, string> {
  const cache = options.env.NODE_COMPILE_CACHE;
  return { NODE_COMPILE_CACHE: cache ? resolve(cache) : join(options.stateDir, "compile-cache") };
}

/**
 * The edge serves the page and tells it where the BFF and the push gateway listen (their
 * own ports); its lots link their live feeds to the gateway's port too.
 */
export function edgeEnv(options: LocalStackOptions, withJaeger: boolean): Record<string, string> {
  const { env: shell, ports } = options;
  return {
    PORT: String(ports.edge.http),
    GAVEL_WEB_DIR: join(options.root, "apps", "web", "dist"),
    GAVEL_WEB_BFF_URL: `http://127.0.0.1:${ports.bff.http}`,
    GAVEL_PUSH_PUBLIC_URL: shell.GAVEL_PUSH_PUBLIC_URL ?? `http://127.0.0.1:${ports.push.http}`,
    GAVEL_WEB_JAEGER_URL: shell.GAVEL_WEB_JAEGER_URL ?? (withJaeger ? localJaeger.query : ""),
    // The page's waterfall reads traces through the edge; its spans reach Jaeger through
    // the edge's relay, which follows the OTEL_* variables.
    ...(withJaeger ? { GAVEL_TRACE_QUERY_URL: localJaeger.query } : {}),
  };
}

/** Every port the stack will listen on, checked before anything starts. */
export function portNeeds(
  options: Pick<LocalStackOptions, "ports" | "env" | "jaeger">,
): PortNeed[] {
  const { ports } = options;
  const tcp = (port: number, user: string): PortNeed => ({ port, protocol: "tcp", user });
  return [
    ...(options.env.NATS_URL
      ? []
      : [tcp(ports.nats.client, "NATS"), tcp(ports.nats.monitor, "NATS monitoring")]),
    ...CONNECT_SERVICES.flatMap((app) => [
      tcp(ports[app].rpc, app),
      tcp(ports[app].admin, `${app} health`),
    ]),
    tcp(ports.notifier.http, "notifier health"),
    tcp(ports.edge.http, "the edge"),
    tcp(ports.bff.http, "the BFF"),
    tcp(ports.push.http, "the push gateway"),
    ...(options.jaeger ? localJaeger.ports : []),
  ];
}

/** The shell's variables that start with `prefix`. */
function prefixed(env: NodeJS.ProcessEnv, prefix: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] => e[0].startsWith(prefix) && e[1] !== undefined,
    ),
  );
}

/** The standard OTEL_* variables of the shell (exporter, sampler, headers, ...). */
function otelEnv(shell: NodeJS.ProcessEnv, toLocalJaeger: boolean): Record<string, string> {
  const otel = prefixed(shell, "OTEL_");
  if (!toLocalJaeger) return otel;
  otel.OTEL_EXPORTER_OTLP_ENDPOINT = localJaeger.otlpHttp;
  // Jaeger stores traces only: metrics sent to it would be refused every interval.
  otel.OTEL_METRICS_EXPORTER ??= "none";
  return otel;
}
