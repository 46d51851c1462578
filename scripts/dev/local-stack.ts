import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { join } from "node:path";
import type { defaultPorts } from "@gavel/config/ports";
import {
  natsUserEnv,
  startService,
  type AppName,
  type ServiceProcess,
} from "@gavel/testing/processes";
import { startLocalJaeger, type LocalJaeger } from "./local-jaeger.ts";
import { startLocalNats, type LocalNats } from "./local-nats.ts";
import { portsInUse } from "./port-holder.ts";
import { forgetProcess, recordProcess, stopLeftovers } from "./process-records.ts";
import { baseEnv, compileCacheEnv, CONNECT_SERVICES, edgeEnv, portNeeds } from "./stack-wiring.ts";

/** Where each process listens: `defaultPorts` for npm start, free ports for its test. */
export type DevPorts = {
  [App in keyof typeof defaultPorts]: { [Port in keyof (typeof defaultPorts)[App]]: number };
};

export interface LocalStackOptions {
  /** The repository: the apps, the tools, the web page. */
  root: string;
  /** Where NATS's store, the dev keys, pid files and logs live (npm start: <root>/.gavel). */
  stateDir: string;
  ports: DevPorts;
  /** The shell: its GAVEL_* and OTEL_* reach every service; NATS_URL names a NATS to use. */
  env: NodeJS.ProcessEnv;
  seed: boolean;
  load: boolean;
  jaeger: boolean;
  /** Which services' log lines to show (npm start: all). */
  echo: "all" | "errors";
  /** Tells the person at the terminal something in one line. */
  say: (line: string) => void;
  /** Aborted: stop what has started, and start nothing more. */
  signal?: AbortSignal | undefined;
}

export interface LocalStack {
  natsUrl: string;
  /** The NATS this stack runs, unless NATS_URL named one. */
  nats: LocalNats | undefined;
  jaeger: LocalJaeger | undefined;
  /** The Connect services, then the notifier and the three fronts, in start order. */
  services: ServiceProcess[];
  edge: ServiceProcess;
  bff: ServiceProcess;
  push: ServiceProcess;
  notifier: ServiceProcess;
  /** The demo lots' titles, when seeded. */
  lots: string[];
  loadgen: ChildProcess | undefined;
  /** The OTLP endpoint the services export to, if any. */
  tracesTo: string | undefined;
  /** Rejects when a service exits that stop() did not ask to. */
  failed: Promise<never>;
  /** Stops the load generator and the services, then NATS and Jaeger. */
  stop(): Promise<void>;
}

/**
 * `npm start`'s stack, every process real: stops what an earlier run left running,
 * checks every port it needs, then starts NATS (unless NATS_URL names one), Jaeger when
 * asked, each service, the web page's build, demo data and demo traffic. The edge links
 * lots' live feeds to the push gateway's own port (GAVEL_PUSH_PUBLIC_URL), as the page
 * reaches it. Anything that fails stops what already started.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { ports, stateDir, env: shell } = options;
  const stopped = await stopLeftovers(stateDir);
  if (stopped.length)
    options.say(`stopped what an earlier npm start left running: ${stopped.join(", ")}`);
  const taken = await portsInUse(portNeeds(options));
  if (taken) throw new Error(taken);

  const started = new Started(stateDir);
  try {
    if (!shell.NATS_URL)
      started.nats = await startLocalNats({
        root: options.root,
        stateDir,
        port: ports.nats.client,
        monitorPort: ports.nats.monitor,
      });
    options.signal?.throwIfAborted();
    if (options.jaeger) started.jaeger = await startLocalJaeger(options.root, stateDir);
    const natsUrl = shell.NATS_URL ?? started.nats!.url;
    const env = baseEnv(options, natsUrl, started.jaeger !== undefined);
    const fronts = await startServices(options, env, started);
    const [identity, catalog] = started.services;
    const lots = options.seed ? await seed(options, identity!.rpcUrl, catalog!.rpcUrl) : [];
    if (options.load) started.loadgen = startLoadgen(options, fronts.edge.rpcUrl);
    options.signal?.throwIfAborted();
    return {
      ...fronts,
      natsUrl,
      nats: started.nats,
      jaeger: started.jaeger,
      services: started.services,
      lots,
      loadgen: started.loadgen,
      tracesTo: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT,
      failed: started.failure(),
      stop: () => started.stop(),
    };
  } catch (err) {
    await started.stop();
    throw err;
  }
}

/** What a stack has started so far, with pid files, stopped in order. */
class Started {
  nats: LocalNats | undefined;
  jaeger: LocalJaeger | undefined;
  loadgen: ChildProcess | undefined;
  readonly services: ServiceProcess[] = [];
  readonly stateDir: string;
  #stopping = false;

  constructor(stateDir: string) {
    this.stateDir = stateDir;
  }

  /** The load generator, then the services, then NATS and Jaeger. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.loadgen?.exitCode === null) this.loadgen.kill("SIGTERM");
    forgetProcess(this.stateDir, "loadgen");
    // Services first: their shutdown flushes their last spans to Jaeger.
    await Promise.all(
      this.services.map((s) => s.stop().then(() => forgetProcess(this.stateDir, s.app))),
    );
    await Promise.all([this.jaeger?.stop(), this.nats?.stop()]);
  }

  /** Rejects when a service exits that stop() did not ask to. */
  failure(): Promise<never> {
    return Promise.race(
      this.services.map(async (p) => {
        const code = await p.exited;
        if (this.#stopping) return new Promise<never>(() => {});
        throw new Error(`${p.app} exited with ${code}`);
      }),
    );
  }
}

/** Each service in turn, on its port, each told where the ones before it are. */
async function startServices(
  options: LocalStackOptions,
  env: Record<string, string>,
  started: Started,
) {
  const { ports } = options;
  const run = async (app: AppName, own: Record<string, string>) => {
    options.signal?.throwIfAborted();
    const passwords = started.nats ? natsUserEnv(app, started.nats.passwords) : {};
    const service = await startService(
      app,
      { ...env, ...passwords, ...own },
      // It runs for hours: keep no more of its lines than a failure to start would show.
      { echo: options.echo, keepLines: 20 },
    );
    recordProcess(options.stateDir, app, service.pid);
    started.services.push(service);
    return service;
  };
  for (const app of CONNECT_SERVICES)
    await run(app, { PORT: String(ports[app].rpc), ADMIN_PORT: String(ports[app].admin) });
  const upstream = Object.fromEntries(
    started.services.map((p) => [`GAVEL_${p.app.toUpperCase()}_URL`, p.rpcUrl]),
  );
  const notifier = await run("notifier", { PORT: String(ports.notifier.http) });
  buildWebPage(options);
  const edge = await run("edge", {
    ...upstream,
    ...edgeEnv(options, started.jaeger !== undefined),
  });
  const bff = await run("bff", { ...upstream, PORT: String(ports.bff.http) });
  const push = await run("push", {
    ...upstream,
    PORT: String(ports.push.http),
    // One replica here: a fresh secret per run is enough (tickets live a minute).
    GAVEL_PUSH_TICKET_SECRET: randomBytes(32).toString("base64url"),
  });
  return { notifier, edge, bff, push };
}

/** The web page's static files, which the edge serves; esbuild takes about a second. */
function buildWebPage(options: LocalStackOptions): void {
  const bundler = join(options.root, "scripts", "build", "bundle-web.ts");
  const built = spawnSync(process.execPath, [bundler], {
    cwd: join(options.root, "apps", "web"),
    env: { ...options.env, ...compileCacheEnv(options) },
    stdio: "inherit",
  });
  if (built.status !== 0) throw new Error("building the web page (apps/web) failed");
}

/**
 * Demo users and lots (seed.ts), in a process of its own: its Connect clients are not
 * kept in the launcher. The open lots' titles.
 */
async function seed(
  options: LocalStackOptions,
  identityUrl: string,
  catalogUrl: string,
): Promise<string[]> {
  const seeder = spawn(
    process.execPath,
    [join(options.root, "scripts", "dev", "seed.ts"), identityUrl, catalogUrl],
    { env: { ...options.env, ...compileCacheEnv(options) }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  seeder.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  seeder.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const [code] = (await once(seeder, "close")) as [number | null];
  if (code !== 0) throw new Error(`seeding the demo data failed: ${err.trim() || `exit ${code}`}`);
  return JSON.parse(out) as string[];
}

/** Demo traffic; its progress lines go to this terminal. Its exit stops nothing else. */
function startLoadgen(options: LocalStackOptions, edgeUrl: string): ChildProcess {
  const loadgen = spawn(
    process.execPath,
    // A few bids a second: a 1 MiB young generation idles some 5 MiB smaller and costs
    // nothing that matters here (the services keep V8's default: it would cost them CPU).
    ["--max-semi-space-size=1", join(options.root, "apps", "loadgen", "src", "main.ts")],
    {
      env: { ...options.env, ...compileCacheEnv(options), GAVEL_LOADGEN_EDGE_URL: edgeUrl },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  if (loadgen.pid) recordProcess(options.stateDir, "loadgen", loadgen.pid);
  return loadgen;
}
