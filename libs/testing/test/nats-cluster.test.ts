import {
  jetstream,
  jetstreamManager,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsCluster, type NatsClusterHandle } from "../src/nats-cluster.ts";

const STREAM = "FAULTS";

describe("a 3-node JetStream cluster", () => {
  let cluster: NatsClusterHandle;
  beforeAll(async () => {
    cluster = await startNatsCluster();
  }, 60_000);
  afterAll(() => cluster?.stop());

  it("starts three routed nodes, one url each, all reachable through the joined url", () => {
    expect(cluster.nodes.map((n) => n.name)).toEqual(["n1", "n2", "n3"]);
    expect(cluster.url).toBe(cluster.nodes.map((n) => n.url).join(","));
    expect(new Set(cluster.nodes.map((n) => n.url)).size).toBe(3);
    expect(cluster.nodes.every((n) => n.running && n.pid > 0)).toBe(true);
    expect(cluster.log.some((l) => l.startsWith("[n2] ") && /JetStream cluster/i.test(l))).toBe(
      true,
    );
  });

  it("keeps every message of an R3 stream exactly once when its leader is killed, and the restarted node catches up", async () => {
    const nc = await connect({ servers: cluster.url.split(",") });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({
        name: STREAM,
        subjects: ["faults.>"],
        num_replicas: 3,
        storage: StorageType.File,
      });
      const js = jetstream(nc);
      await publishRange(js, 0, 100);

      const leader = await cluster.streamLeader(STREAM);
      const victim = cluster.node(leader);
      const oldPid = victim.pid;
      await victim.kill();
      expect(victim.running).toBe(false);
      expect(victim.pid).toBe(-1);
      expect(() => process.kill(oldPid, 0)).toThrow();

      await publishRange(js, 100, 200);
      const successor = await cluster.streamLeader(STREAM);
      expect(successor).not.toBe(leader);
      expect(await storedIndexes(jsm)).toEqual(range(0, 200));

      await victim.restart();
      expect(victim.running).toBe(true);
      expect(victim.pid).not.toBe(oldPid);
      // Its own connection only, and it leads: what it answers comes from its own store.
      const own = await connect({ servers: victim.url, reconnect: false });
      try {
        const ownJsm = await jetstreamManager(own);
        await moveLeaderTo(cluster, own, victim.name);
        const info = await ownJsm.streams.info(STREAM);
        expect(info.cluster?.leader).toBe(victim.name);
        expect(info.state.messages).toBe(200);
        expect(await storedIndexes(ownJsm)).toEqual(range(0, 200));
      } finally {
        await own.close();
      }
    } finally {
      await nc.close();
    }
  }, 60_000);
});

describe("a single restartable NATS server", () => {
  let server: NatsClusterHandle;
  beforeAll(async () => {
    server = await startNatsCluster({ size: 1 });
  }, 60_000);
  afterAll(() => server?.stop());

  it("keeps its file-stored messages across a SIGTERM and a restart on the same url", async () => {
    expect(server.nodes.map((n) => n.name)).toEqual(["n1"]);
    const node = server.node("n1");
    expect(server.url).toBe(node.url);
    const before = await connect({ servers: node.url });
    try {
      const jsm = await jetstreamManager(before);
      await jsm.streams.add({ name: STREAM, subjects: ["faults.>"], storage: StorageType.File });
      await publishRange(jetstream(before), 0, 20);
      expect(await server.streamLeader(STREAM)).toBe("n1");
    } finally {
      await before.close();
    }

    await node.kill("SIGTERM");
    expect(node.running).toBe(false);
    await expect(
      connect({ servers: node.url, reconnect: false, timeout: 1_000 }),
    ).rejects.toThrow();

    await node.restart();
    const after = await connect({ servers: node.url });
    try {
      expect(await storedIndexes(await jetstreamManager(after))).toEqual(range(0, 20));
    } finally {
      await after.close();
    }
    expect(() => server.node("n2")).toThrow(/no NATS node n2/);
  }, 60_000);
});

/**
 * Publishes message i as faults.<i> with msgID i, retrying until it is acked: while an
 * election runs a publish times out or finds no responders, and a retried one that was
 * stored after all is dropped by the stream as a duplicate.
 */
async function publishRange(js: JetStreamClient, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await js.publish(`faults.${i}`, String(i), { msgID: `m-${i}`, timeout: 1_000 });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}

/** Every message's index, in stream order, read one by one from the stream. */
async function storedIndexes(jsm: JetStreamManager): Promise<number[]> {
  const info = await jsm.streams.info(STREAM);
  const indexes: number[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(STREAM, { seq });
    if (msg) indexes.push(Number(msg.string()));
  }
  return indexes;
}

/**
 * Asks the stream's leader to hand over to `name` ($JS.API.STREAM.LEADER.STEPDOWN with a
 * preferred server) until it leads. A leader hands over to another follower instead while
 * it has not yet seen the preferred one's heartbeats, and the reply comes before the
 * election, hence the loop.
 */
async function moveLeaderTo(
  cluster: NatsClusterHandle,
  nc: NatsConnection,
  name: string,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await cluster.streamLeader(STREAM)) !== name) {
    if (Date.now() > deadline) throw new Error(`${STREAM} never moved to ${name}`);
    await nc
      .request(
        `$JS.API.STREAM.LEADER.STEPDOWN.${STREAM}`,
        JSON.stringify({ placement: { preferred: name } }),
        { timeout: 2_000 },
      )
      .catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
