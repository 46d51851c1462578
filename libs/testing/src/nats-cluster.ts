import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { freePort } from "./free-port.ts";
import {
  failure,
  NatsProcess,
  START_TIMEOUT_MS,
  type NatsNode,
  type NodePorts,
} from "./nats-node.ts";
import { natsServerBinary } from "./tools.ts";

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
const ELECTION_TIMEOUT_MS = 10_000;

/** A nats-server config's accounts block and the environment its passwords come from. */
export interface NatsUsers {
  accounts: string;
  env: Record<string, string>;
}

interface ClusterOptions {
  /** 1: one server with file storage, no cluster block; 3 (default): a cluster like the chart's. */
  size?: number;
  /** The nats-server binary; natsServerBinary() by default. */
  bin?: string;
  /** An accounts block for every node's config: no anonymous access then. */
  users?: NatsUsers;
}

/**
 * Nodes that can be killed and restarted, on loopback ports with routes between all (the
 * chart's cluster name, "gavel"). Resolves once every node's /healthz is 200 and, in a
 * cluster, the JetStream meta leader is elected (a $JS.API.INFO request answers).
 */
export async function startNatsCluster(options: ClusterOptions = {}): Promise<NatsClusterHandle> {
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
