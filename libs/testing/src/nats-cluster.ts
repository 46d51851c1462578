import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { freePort } from "./free-port.ts";
import { natsServerBinary } from "./tools.ts";
import { untilHttpOk } from "./until-http-ok.ts";

export interface NatsNode {
  /** server_name, "n1".."n3" (or "n1" for a single server) */
  readonly name: string;
  /** nats://127.0.0.1:<client port>, the same across restarts */
  readonly url: string;
  /** the current process's pid, -1 while down */
  readonly pid: number;
  readonly running: boolean;
  /** Sends the signal (default SIGKILL) and waits for the process to exit. Store dir kept. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same ports and store dir; resolves once its /healthz (monitor port) answers 200, i.e. JetStream is current. */
  restart(): Promise<void>;
}

export interface NatsClusterHandle {
  /** every node's url joined with "," (what services take as NATS_URL) */
  readonly url: string;
  readonly nodes: NatsNode[];
  /** Lines every node wrote (prefixed with the node's name), for failure messages. */
  readonly log: string[];
  /** Name of the node currently leading the stream (asks JetStream's STREAM.INFO; retries up to 10 s while an election runs). */
  streamLeader(stream: string): Promise<string>;
  node(name: string): NatsNode;
  /** Kills every node and removes the store dirs. */
  stop(): Promise<void>;
}

/** The chart's cluster name (nats.clusterName): routes only join servers of the same name. */
const CLUSTER_NAME = "gavel";
const MAX_LOG_LINES = 5_000;
const START_TIMEOUT_MS = 30_000;
const ELECTION_TIMEOUT_MS = 10_000;

/** Every node still running, killed with the test process so none outlives its run. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A nats-server config's accounts block and the environment its passwords come from. */
export interface NatsUsers {
  accounts: string;
  env: Record<string, string>;
}

interface NodePorts {
  client: number;
  monitor: number;
  route: number;
}

/**
 * size 1: one server with file storage (no cluster block) that can be killed and
 * restarted; size 3 (default): a JetStream cluster on loopback ports with routes between
 * all, like the Helm chart's (cluster name "gavel"). Resolves once every node's /healthz
 * is 200 (for a single server: JetStream is ready) and, in a cluster, the JetStream meta
 * leader is elected (a $JS.API.INFO request answers). `users` puts an accounts block in
 * every node's config (no anonymous access then); `bin` defaults to natsServerBinary().
 */
export async function startNatsCluster(
  options: { size?: number; bin?: string; users?: NatsUsers } = {},
): Promise<NatsClusterHandle> {
  const size = options.size ?? 3;
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`a NATS cluster needs a whole number of nodes, not ${size}`);
  const bin = options.bin ?? natsServerBinary();
  const dir = await mkdtemp(join(tmpdir(), "gavel-nats-cluster-"));
  const ports = await distinctPorts(size * 3);
  const all: NodePorts[] = Array.from({ length: size }, (_, i) => ({
    client: ports[i * 3]!,
    monitor: ports[i * 3 + 1]!,
    route: ports[i * 3 + 2]!,
  }));
  const log: string[] = [];
  const nodes = await Promise.all(
    all.map(async (own, i) => {
      const name = `n${i + 1}`;
      const nodeDir = join(dir, name);
      await mkdir(nodeDir);
      const configFile = join(nodeDir, "nats.conf");
      const routes = size > 1 ? all.filter((other) => other !== own) : undefined;
      const config = nodeConfig(name, own, join(nodeDir, "jetstream"), routes);
      await writeFile(configFile, config + (options.users?.accounts ?? ""));
      return new NatsProcess(name, bin, configFile, own, log, options.users?.env);
    }),
  );
  const urls = nodes.map((n) => n.url);
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.kill()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(nodes.map((n) => n.restart()));
    if (size > 1)
      await withConnection(urls, async (nc) => {
        const jsm = await jetstreamManager(nc, { timeout: 1_000, checkAPI: false });
        await retryFor(START_TIMEOUT_MS, "no JetStream meta leader was elected", log, async () =>
          jsm.getAccountInfo(),
        );
      });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url: urls.join(","),
    nodes,
    log,
    streamLeader: (stream) =>
      withConnection(urls, async (nc) => {
        const jsm = await jetstreamManager(nc, { timeout: 2_000, checkAPI: false });
        return retryFor(ELECTION_TIMEOUT_MS, `stream ${stream} has no leader`, log, async () => {
          const info = await jsm.streams.info(stream);
          return info.cluster?.leader;
        });
      }),
    node(name) {
      const found = nodes.find((n) => n.name === name);
      if (!found) throw new Error(`no NATS node ${name}; nodes are ${nodes.map((n) => n.name)}`);
      return found;
    },
    stop,
  };
}

/**
 * The chart's nats.conf (helm/gavel/templates/nats-configmap.yaml) on loopback: no users
 * and no lame duck settings (tests kill nodes on purpose), smaller JetStream limits.
 */
function nodeConfig(
  name: string,
  own: NodePorts,
  storeDir: string,
  routes: NodePorts[] | undefined,
): string {
  const lines = [
    `server_name: ${name}`,
    `listen: "127.0.0.1:${own.client}"`,
    `http: "127.0.0.1:${own.monitor}"`,
    `jetstream {`,
    `  store_dir: ${JSON.stringify(storeDir)}`,
    `  max_file_store: 1G`,
    `  max_memory_store: 256M`,
    `}`,
  ];
  if (routes)
    lines.push(
      `cluster {`,
      `  name: ${CLUSTER_NAME}`,
      `  listen: "127.0.0.1:${own.route}"`,
      `  routes: [`,
      ...routes.map((r) => `    "nats-route://127.0.0.1:${r.route}"`),
      `  ]`,
      `}`,
    );
  return `${lines.join("\n")}\n`;
}

/** One nats-server that keeps its name, ports and store dir across kills and restarts. */
class NatsProcess implements NatsNode {
  readonly name: string;
  readonly url: string;
  private readonly bin: string;
  private readonly configFile: string;
  private readonly monitorPort: number;
  private readonly log: string[];
  private readonly env: Record<string, string> | undefined;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    name: string,
    bin: string,
    configFile: string,
    ports: NodePorts,
    log: string[],
    env?: Record<string, string>,
  ) {
    this.name = name;
    this.env = env;
    this.url = `nats://127.0.0.1:${ports.client}`;
    this.bin = bin;
    this.configFile = configFile;
    this.monitorPort = ports.monitor;
    this.log = log;
  }

  get pid(): number {
    return this.running ? (this.child?.pid ?? -1) : -1;
  }

  get running(): boolean {
    return this.child !== undefined && running.has(this.child);
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.running) this.child?.kill(signal);
    await this.exited;
  }

  async restart(): Promise<void> {
    if (this.running) throw new Error(`NATS node ${this.name} is already running`);
    const child = spawn(this.bin, ["-c", this.configFile], {
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child = child;
    running.add(child);
    this.exited = new Promise((resolve) => {
      const gone = (): void => {
        running.delete(child);
        resolve();
      };
      child.once("exit", gone);
      child.once("error", (err) => {
        this.record(`cannot run ${this.bin}: ${err.message} (set NATS_SERVER_BIN)`);
        gone();
      });
    });
    if (child.stderr) createInterface({ input: child.stderr }).on("line", (l) => this.record(l));
    await this.untilHealthy();
  }

  private record(line: string): void {
    this.log.push(`[${this.name}] ${line}`);
    if (this.log.length > MAX_LOG_LINES) this.log.splice(0, this.log.length - MAX_LOG_LINES);
  }

  private async untilHealthy(): Promise<void> {
    const healthz = `http://127.0.0.1:${this.monitorPort}/healthz`;
    const answer = await untilHttpOk(healthz, {
      timeoutMs: START_TIMEOUT_MS,
      gone: () => !this.running,
    });
    if (answer === "ok") return;
    if (answer === "gone") throw failure(`NATS node ${this.name} exited while starting`, this.log);
    await this.kill();
    throw failure(`NATS node ${this.name}: ${healthz} never answered 200`, this.log);
  }
}

/** Ports free a moment ago (freePort never hands out one twice). */
async function distinctPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort());
  return ports;
}

async function withConnection<T>(
  servers: string[],
  use: (nc: NatsConnection) => Promise<T>,
): Promise<T> {
  const nc = await connect({ servers, timeout: 2_000 });
  try {
    return await use(nc);
  } finally {
    await nc.close();
  }
}

/** Calls `attempt` until it returns a value; errors and undefined mean "not yet". */
async function retryFor<T>(
  ms: number,
  what: string,
  log: string[],
  attempt: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  const cause = last instanceof Error ? ` (last error: ${last.message})` : "";
  throw failure(`${what} within ${ms} ms${cause}`, log);
}

function failure(what: string, log: string[]): Error {
  return new Error(`${what}; last NATS lines:\n${log.slice(-30).join("\n")}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
