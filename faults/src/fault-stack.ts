import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import {
  freePort,
  mintToken,
  serviceEnv,
  startService,
  startTcpBalancer,
  type AppName,
  type NatsClusterHandle,
  type ServiceProcess,
  type TcpBalancer,
} from "@gavel/testing";

/** One replica: an app's process, restarted on the same ports, as a pod behind a Service. */
export interface Replica {
  readonly name: string;
  readonly app: AppName;
  process: ServiceProcess;
  /** Its processes before the current one (killed, restarted). */
  readonly earlier: ServiceProcess[];
  readonly env: Record<string, string>;
  /** How often it was started (1 = never restarted). */
  starts: number;
  /** Set while the suite itself is stopping it: an exit then is no crash. */
  stopping: boolean;
  /** Exits the suite did not cause: crashes. */
  crashes: number;
}

/** What the suite found about the processes after a round. */
export interface Health {
  /** Replicas not running, or not answering /readyz 200. */
  down: string[];
  /** Exits the suite did not cause, per replica. */
  crashes: Record<string, number>;
}

/**
 * The chart's replica layout, minus what the faults do not touch: two of every app they
 * kill, one identity and one catalog; the fronts, bidding and settlement are reached
 * through a TCP balancer each, so a killed replica's callers move to the other.
 * Why: docs/reliability.md#faults-under-load
 */
const TWO_REPLICAS: AppName[] = ["bidding", "settlement", "notifier", "edge", "bff", "push"];

export class FaultStack {
  readonly nats: NatsClusterHandle;
  readonly replicas = new Map<string, Replica>();
  readonly #balancers: TcpBalancer[] = [];
  /** Where clients reach the fronts. */
  readonly urls: { edge: string; bff: string; push: string };

  private constructor(
    nats: NatsClusterHandle,
    replicas: Replica[],
    balancers: Record<"edge" | "bff" | "push", TcpBalancer>,
    internal: TcpBalancer[],
  ) {
    this.nats = nats;
    for (const replica of replicas) {
      this.replicas.set(replica.name, replica);
      this.#watch(replica);
    }
    this.#balancers.push(balancers.edge, balancers.bff, balancers.push, ...internal);
    this.urls = { edge: balancers.edge.url, bff: balancers.bff.url, push: balancers.push.url };
  }

  /**
   * Starts every replica on the NATS given (its `url` lists every server), with storage
   * replicated over `storageReplicas` servers (3 on the cluster, as in the chart).
   */
  static async start(nats: NatsClusterHandle, storageReplicas = 1): Promise<FaultStack> {
    const base = {
      ...serviceEnv(nats.url),
      GAVEL_MIN_LOT_SECONDS: "1",
      GAVEL_STREAM_REPLICAS: String(storageReplicas),
      GAVEL_KV_REPLICAS: String(storageReplicas),
      // The load is a handful of clients on one address: per-client limits are not
      // what this suite measures.
      GAVEL_RATE_LIMIT_PER_USER: "1000000",
      GAVEL_RATE_LIMIT_PER_IP: "1000000",
      GAVEL_PUSH_PRESENCE_RENEW_MS: "1000",
      LOG_LEVEL: process.env.GAVEL_TEST_LOG_LEVEL ?? "warn",
    };
    const ports = async (count: number) =>
      Promise.all(Array.from({ length: count }, async () => [await freePort(), await freePort()]));
    const started: Replica[] = [];
    const start = async (app: AppName, name: string, env: Record<string, string>) => {
      const process = await startService(app, env);
      const replica = {
        name,
        app,
        process,
        earlier: [],
        env,
        starts: 1,
        stopping: false,
        crashes: 0,
      };
      started.push(replica);
      return replica;
    };
    const balancerOf = async (app: AppName, policy: "first" | "round-robin") => {
      const list = await ports(TWO_REPLICAS.includes(app) ? 2 : 1);
      return {
        list,
        balancer: await startTcpBalancer(
          list.map(([port]) => port!),
          policy,
        ),
      };
    };
    const envOf = (port: number, admin: number, extra: Record<string, string> = {}) => ({
      ...base,
      PORT: String(port),
      ADMIN_PORT: String(admin),
      ...extra,
    });
    /** Two replicas; perReplica adds settings to each (replica a, then b). */
    const twice = (
      app: AppName,
      list: number[][],
      extra: Record<string, string> = {},
      perReplica: Record<string, string>[] = [],
    ) =>
      Promise.all(
        list.map(([port, admin], i) =>
          start(
            app,
            `${app}-${"ab"[i]}`,
            envOf(port!, admin!, {
              ...extra,
              ...perReplica[i],
              GAVEL_REPLICA_ID: `${app}-${"ab"[i]}`,
            }),
          ),
        ),
      );

    try {
      const identity = await balancerOf("identity", "first");
      const catalog = await balancerOf("catalog", "first");
      const bidding = await balancerOf("bidding", "round-robin");
      const settlement = await balancerOf("settlement", "round-robin");
      await Promise.all([
        start("identity", "identity", envOf(identity.list[0]![0]!, identity.list[0]![1]!)),
        start("catalog", "catalog", envOf(catalog.list[0]![0]!, catalog.list[0]![1]!)),
        twice("bidding", bidding.list),
      ]);
      // Both wait for the LOT_EVENTS stream, which catalog and bidding create.
      const notifierPorts = await ports(2);
      await Promise.all([twice("settlement", settlement.list), twice("notifier", notifierPorts)]);
      const upstream = {
        GAVEL_IDENTITY_URL: identity.balancer.url,
        GAVEL_CATALOG_URL: catalog.balancer.url,
        GAVEL_BIDDING_URL: bidding.balancer.url,
        GAVEL_SETTLEMENT_URL: settlement.balancer.url,
      };
      const edge = await balancerOf("edge", "round-robin");
      const bff = await balancerOf("bff", "round-robin");
      const push = await balancerOf("push", "round-robin");
      await Promise.all([
        twice("edge", edge.list, upstream),
        twice("bff", bff.list, upstream),
        // One replica in each feed mode, so the kills and the drain cover both.
        twice("push", push.list, { ...upstream, GAVEL_CORS_ORIGINS: "http://localhost:8080" }, [
          { GAVEL_PUSH_FEEDS: "per-channel" },
          { GAVEL_PUSH_FEEDS: "shared" },
        ]),
      ]);
      return new FaultStack(
        nats,
        started,
        { edge: edge.balancer, bff: bff.balancer, push: push.balancer },
        [identity.balancer, catalog.balancer, bidding.balancer, settlement.balancer],
      );
    } catch (err) {
      await Promise.all(started.map((r) => r.process.stop("SIGKILL")));
      throw err;
    }
  }

  replica(name: string): Replica {
    const replica = this.replicas.get(name);
    if (!replica) throw new Error(`no replica ${name}: ${[...this.replicas.keys()].join(", ")}`);
    return replica;
  }

  /** Stops a replica with the signal (SIGKILL: it dies; SIGTERM: it drains) and waits for its exit. */
  async kill(name: string, signal: NodeJS.Signals = "SIGKILL"): Promise<number | null> {
    const replica = this.replica(name);
    replica.stopping = true;
    return replica.process.stop(signal);
  }

  /** Starts the replica again on its ports, as its Deployment would; resolves once it is ready. */
  async restart(name: string): Promise<void> {
    const replica = this.replica(name);
    replica.earlier.push(replica.process);
    replica.process = await startService(replica.app, replica.env);
    replica.starts++;
    replica.stopping = false;
    this.#watch(replica);
  }

  /** A connection to every server of the cluster, without a user (the suite's NATS has none). */
  connectNats(): Promise<NatsConnection> {
    return connect({ servers: this.nats.url.split(",") });
  }

  /** A token signed with the tests' key, which every replica verifies. */
  mintToken(userId: string): Promise<string> {
    return mintToken(userId);
  }

  /** Every replica running and ready, and the crashes since the start. */
  async health(): Promise<Health> {
    const down: string[] = [];
    await Promise.all(
      [...this.replicas.values()].map(async (replica) => {
        const ready = await fetch(`${replica.process.adminUrl}/readyz`, {
          signal: AbortSignal.timeout(5_000),
        }).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) down.push(replica.name);
      }),
    );
    const crashes = Object.fromEntries(
      [...this.replicas.values()].filter((r) => r.crashes > 0).map((r) => [r.name, r.crashes]),
    );
    return { down: down.sort(), crashes };
  }

  /** Every log line at level error or above, of every process of every replica. */
  errors(): string[] {
    return [...this.replicas.values()].flatMap((replica) =>
      [...replica.earlier, replica.process]
        .flatMap((p) => p.logs)
        .filter((line) => line.level === "error" || line.level === "fatal")
        .map((line) => `${replica.name}: ${JSON.stringify(line)}`),
    );
  }

  async stop(): Promise<void> {
    for (const replica of this.replicas.values()) replica.stopping = true;
    await Promise.all([...this.replicas.values()].map((r) => r.process.stop()));
    await Promise.all(this.#balancers.map((b) => b.stop()));
  }

  #watch(replica: Replica): void {
    const current = replica.process;
    void current.exited.then(() => {
      if (replica.process === current && !replica.stopping) replica.crashes++;
    });
  }
}
