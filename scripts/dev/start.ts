/**
 * `npm start`: the whole stack on this machine. Starts NATS (a pinned nats-server the
 * project builds itself, unless NATS_URL points at one), then every service on its
 * default port, seeds demo users and lots, and stops it all on Ctrl-C.
 *
 *   npm start                 # everything, with demo data and demo traffic
 *   npm start -- --no-seed    # without demo data
 *   npm start -- --no-load    # without the load generator's lots and bidders
 *   npm start -- --jaeger     # and a local Jaeger that every service exports traces to
 *
 * The edge serves the web page (apps/web, built here first) at http://localhost:8080/ and
 * tells it, in /config.json, where the BFF and the push gateway listen (their own ports;
 * their CORS defaults allow the page's origin). With --jaeger the page's spans go through
 * the edge (POST /otlp/v1/traces) to Jaeger, and its waterfall reads traces back through
 * the edge (GET /traces/<id>); without, both are off.
 *
 * Every OTEL_* variable set here reaches every service, so a collector or Jaeger that
 * already runs is used with OTEL_EXPORTER_OTLP_ENDPOINT=http://host:4318 instead; so does
 * every GAVEL_* setting (GAVEL_RATE_LIMIT_PER_IP, say), except what this script wires.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultPorts } from "@gavel/config";
import {
  natsUserEnv,
  repoRoot,
  startService,
  type AppName,
  type ServiceProcess,
} from "@gavel/testing";
import { devKeys } from "./dev-keys.ts";
import { localJaeger, startLocalJaeger } from "./local-jaeger.ts";
import { startLocalNats, type LocalNats } from "./local-nats.ts";
import { DEMO_PASSWORD, DEMO_USERS, seed } from "./seed.ts";

const { values: flags } = parseArgs({
  options: {
    "no-seed": { type: "boolean", default: false },
    "no-load": { type: "boolean", default: false },
    jaeger: { type: "boolean", default: false },
  },
});

let nats: LocalNats | undefined;
const natsUrl = process.env.NATS_URL ?? `nats://127.0.0.1:${defaultPorts.nats.client}`;
if (!process.env.NATS_URL) nats = await startLocalNats(repoRoot, defaultPorts.nats.client);
/** An app's NATS user on the local server (the chart's); none on a server of your own. */
const natsUser = (app: AppName) => (nats ? natsUserEnv(app, nats.passwords) : {});
let jaeger: ChildProcess | undefined;
if (flags.jaeger) {
  try {
    jaeger = await startLocalJaeger(repoRoot);
  } catch (err) {
    nats?.process.kill("SIGTERM");
    throw err;
  }
}

/** This shell's variables that start with `prefix`. */
const shellEnv = (prefix: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[0].startsWith(prefix) && e[1] !== undefined,
    ),
  );
/** The standard OTEL_* variables of this shell (exporter, sampler, headers, ...). */
const otelEnv = shellEnv("OTEL_");
if (jaeger) {
  otelEnv.OTEL_EXPORTER_OTLP_ENDPOINT = localJaeger.otlpHttp;
  // Jaeger stores traces only: metrics sent to it would be refused every interval.
  otelEnv.OTEL_METRICS_EXPORTER ??= "none";
}

const keys = devKeys(join(repoRoot, ".gavel", "dev-keys.json"));
const env = {
  // The services' own settings from this shell (GAVEL_RATE_LIMIT_PER_IP for a loadgen
  // benchmark, say); what this script wires up below wins over them.
  ...shellEnv("GAVEL_"),
  NATS_URL: natsUrl,
  GAVEL_JWT_PUBLIC_KEY: keys.publicKeyPem,
  GAVEL_JWT_PRIVATE_KEY: keys.privateKeyPem,
  GAVEL_MIN_LOT_SECONDS: process.env.GAVEL_MIN_LOT_SECONDS ?? "10",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
  ...otelEnv,
};

// Settlement is the Go service: startService builds it with the machine's Go first.
const services = ["identity", "catalog", "bidding", "settlement"] as const;
const running: ServiceProcess[] = [];
let loadgen: ChildProcess | undefined;
let stopping = false;
async function stopAll(): Promise<void> {
  stopping = true;
  loadgen?.kill("SIGTERM");
  // Services first: their shutdown flushes their last spans to Jaeger.
  await Promise.all(running.map((p) => p.stop()));
  nats?.process.kill("SIGTERM");
  jaeger?.kill("SIGTERM");
}
process.once("SIGINT", () => void stopAll().then(() => process.exit(0)));
process.once("SIGTERM", () => void stopAll().then(() => process.exit(0)));

try {
  for (const app of services) {
    const ports = defaultPorts[app];
    const processEnv = {
      ...env,
      ...natsUser(app),
      PORT: String(ports.rpc),
      ADMIN_PORT: String(ports.admin),
    };
    running.push(await startService(app, processEnv, { echo: "all" }));
  }
  const upstream = Object.fromEntries(
    running.map((p) => [`GAVEL_${p.app.toUpperCase()}_URL`, p.rpcUrl]),
  );
  const notifierEnv = {
    ...env,
    ...natsUser("notifier"),
    PORT: String(defaultPorts.notifier.http),
  };
  const notifier = await startService("notifier", notifierEnv, { echo: "all" });
  running.push(notifier);
  buildWebPage();
  const edgeEnv = {
    ...env,
    ...natsUser("edge"),
    ...upstream,
    PORT: String(defaultPorts.edge.http),
    GAVEL_WEB_DIR: join(repoRoot, "apps", "web", "dist"),
    GAVEL_WEB_BFF_URL: `http://127.0.0.1:${defaultPorts.bff.http}`,
    GAVEL_WEB_PUSH_URL: `http://127.0.0.1:${defaultPorts.push.http}`,
    GAVEL_WEB_JAEGER_URL: process.env.GAVEL_WEB_JAEGER_URL ?? (jaeger ? localJaeger.query : ""),
    // The page's waterfall reads traces through the edge; its spans reach Jaeger through
    // the edge's relay, which follows the OTEL_* variables above.
    ...(jaeger ? { GAVEL_TRACE_QUERY_URL: localJaeger.query } : {}),
  };
  const edge = await startService("edge", edgeEnv, { echo: "all" });
  running.push(edge);
  const bffEnv = { ...env, ...natsUser("bff"), ...upstream, PORT: String(defaultPorts.bff.http) };
  const bff = await startService("bff", bffEnv, { echo: "all" });
  running.push(bff);
  const pushEnv = {
    ...env,
    ...natsUser("push"),
    ...upstream,
    PORT: String(defaultPorts.push.http),
    // One replica here: a fresh secret per run is enough (tickets live a minute).
    GAVEL_PUSH_TICKET_SECRET: randomBytes(32).toString("base64url"),
  };
  const push = await startService("push", pushEnv, { echo: "all" });
  running.push(push);
  const [identity, catalog] = running;
  const lots = flags["no-seed"] ? [] : await seed(identity!.rpcUrl, catalog!.rpcUrl);
  if (!flags["no-load"]) loadgen = startLoadgen(edge.rpcUrl);
  console.log(`
Gavel is running (Ctrl-C stops it):
  the auction floor   http://localhost:${defaultPorts.edge.http}/  (open it in a browser)
  NATS                ${natsUrl}${nats ? " (one user per app, as in the chart; monitoring http://127.0.0.1:8222)" : ""}
  REST API            ${edge.rpcUrl}/v1  (docs ${edge.rpcUrl}/v1/docs)
  GraphQL             ${bff.rpcUrl}/graphql
  WebSocket           ${push.rpcUrl.replace(/^http/, "ws")}/ws  (SSE ${push.rpcUrl}/sse/lots/<id>)
${running
  .slice(0, services.length)
  .map(
    (p) =>
      `  ${p.app.padEnd(19)} ${p.rpcUrl}  (Connect, gRPC, gRPC-Web; health ${p.adminUrl}/readyz)`,
  )
  .join("\n")}
  notifier            health ${notifier.adminUrl}/readyz (publishes to the NOTIFICATIONS stream)
${tracingLine()}
${loadgen ? "  demo traffic        apps/loadgen: lots and bidders through the REST edge (--no-load turns it off)\n" : ""}${lots.length ? `  demo lots           ${lots.join("; ")}\n  demo users          ${DEMO_USERS.map((u) => u.email).join(", ")} (password ${DEMO_PASSWORD})` : ""}
`);
  await Promise.race(
    running.map((p) =>
      // An exit is a failure unless Ctrl-C asked for it.
      p.exited.then((code) =>
        stopping ? undefined : Promise.reject(new Error(`${p.app} exited with ${code}`)),
      ),
    ),
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  await stopAll();
  process.exit(1);
}

/** The web page's static files, which the edge serves; esbuild takes about a second. */
function buildWebPage(): void {
  const bundler = join(repoRoot, "scripts", "build", "bundle-web.ts");
  const built = spawnSync(process.execPath, [bundler], {
    cwd: join(repoRoot, "apps", "web"),
    stdio: "inherit",
  });
  if (built.status !== 0) throw new Error("building the web page (apps/web) failed");
}

/** Demo traffic; its progress lines go to this terminal. Its exit stops nothing else. */
function startLoadgen(edgeUrl: string): ChildProcess {
  return spawn(process.execPath, [join(repoRoot, "apps", "loadgen", "src", "main.ts")], {
    env: { ...process.env, GAVEL_LOADGEN_EDGE_URL: edgeUrl },
    stdio: ["ignore", "inherit", "inherit"],
  });
}

function tracingLine(): string {
  if (jaeger)
    return `  Jaeger              ${localJaeger.query}/api/traces?service=edge  (OTLP ${localJaeger.otlpHttp}; log .gavel/jaeger.log)`;
  const endpoint =
    otelEnv.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? otelEnv.OTEL_EXPORTER_OTLP_ENDPOINT;
  return endpoint
    ? `  traces              exported to ${endpoint}`
    : "  traces              not exported (npm start -- --jaeger, or set OTEL_EXPORTER_OTLP_ENDPOINT)";
}
