/**
 * The systems bench/push-fanout.bench.ts compares, each as two server processes on one
 * lot channel plus the publisher that feeds it the same synthetic bid events:
 *
 * - gavel, gavel-sse: two push gateway replicas (apps/push, every feature on), fed through
 *   JetStream on the lot's subject exactly as bidding appends; WebSocket or SSE clients.
 * - socketio: two Socket.IO 4 servers with the Redis adapter (socketio-server.ts), fed by
 *   @socket.io/redis-emitter broadcasting to the lot's room.
 * - bare: two `ws` servers on a core NATS subject (bare-ws-server.ts), fed by plain
 *   publishes of the frame Gavel would send.
 *
 * Every event carries its publish time in the bid id, so clients measure latency.
 */
import { toBinary, toJsonString } from "@bufbuild/protobuf";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Emitter } from "@socket.io/redis-emitter";
import { createClient } from "redis";
import { lotSubject } from "@gavel/nats";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { serviceEnv, startService, syntheticBid, type ServiceProcess } from "@gavel/testing";
import { startPair, startRedis } from "./child-servers.ts";
import { activateInspector, INSPECTABLE, inspectorUrl } from "./node-inspector.ts";
import type { ClientKind } from "./push-load-client.ts";

export const SYSTEMS = ["gavel", "gavel-sse", "socketio", "bare"] as const;
export type SystemName = (typeof SYSTEMS)[number];

export interface RunningSystem {
  client: ClientKind;
  /** Base URL of each server process. */
  urls: string[];
  /** Each server process's inspector URL, for memory and profiles. */
  inspectors: string[];
  /** Each server process's pid, for its CPU time. */
  pids: number[];
  /** Publishes one event on the lot's channel now; failures are counted, not thrown. */
  publish(): void;
  publishErrors(): number;
  stop(): Promise<void>;
}

/** One synthetic accepted bid, as bidding appends it, stamped with the publish time. */
function bidEvent(lotId: string, n: number) {
  const now = performance.timeOrigin + performance.now();
  return syntheticBid(lotId, {
    bidId: `bench-${n}-${now.toFixed(3)}`,
    bidderId: "bench-bidder",
    amountMinor: BigInt(1000 + n),
    occurredAtMs: Math.floor(now),
  });
}

/** The frame Gavel writes for an event; the other systems send the same bytes. */
function gavelFrame(lotId: string, n: number): string {
  const data = toJsonString(LotEventSchema, bidEvent(lotId, n));
  return `{"v":1,"type":"event","channel":"lot:${lotId}","seq":${n},"event":"bid_accepted","data":${data}}`;
}

export async function startSystem(
  name: SystemName,
  natsUrl: string,
  lotId: string,
): Promise<RunningSystem> {
  if (name === "gavel" || name === "gavel-sse") return startGavel(name, natsUrl, lotId);
  if (name === "socketio") return startSocketIo(lotId);
  return startBare(natsUrl, lotId);
}

async function startGavel(
  name: "gavel" | "gavel-sse",
  natsUrl: string,
  lotId: string,
): Promise<RunningSystem> {
  const env = { ...serviceEnv(natsUrl), LOG_LEVEL: "warn", NODE_OPTIONS: INSPECTABLE };
  const replicas: ServiceProcess[] = [];
  try {
    for (const id of ["push-a", "push-b"])
      replicas.push(await startService("push", { ...env, GAVEL_REPLICA_ID: id }));
  } catch (err) {
    await Promise.all(replicas.map((r) => r.stop()));
    throw err;
  }
  const inspectors = await Promise.all(
    replicas.map((r) =>
      activateInspector(r.pid, () =>
        r.logs.map((l) => inspectorUrl(String(l.msg ?? ""))).find(Boolean),
      ),
    ),
  );
  const nc = await connect({ servers: natsUrl });
  const js = jetstream(nc);
  const subject = lotSubject(lotId);
  let n = 0;
  let errors = 0;
  return {
    client: name === "gavel" ? "gavel-ws" : "gavel-sse",
    urls: replicas.map((r) => r.rpcUrl),
    pids: replicas.map((r) => r.pid),
    inspectors,
    publish() {
      js.publish(subject, toBinary(LotEventSchema, bidEvent(lotId, ++n))).catch(() => errors++);
    },
    publishErrors: () => errors,
    async stop() {
      await nc.close();
      await Promise.all(replicas.map((r) => r.stop()));
    },
  };
}

async function startSocketIo(lotId: string): Promise<RunningSystem> {
  const redis = await startRedis();
  let servers: Awaited<ReturnType<typeof startPair>>;
  try {
    servers = await startPair("socketio-server.ts", (port) => [String(port), redis.url]);
  } catch (err) {
    await redis.stop();
    throw err;
  }
  let n = 0;
  let errors = 0;
  const client = createClient({ url: redis.url });
  client.on("error", () => errors++);
  await client.connect();
  const room = new Emitter(client).to(`lot:${lotId}`);
  return {
    client: "socketio",
    ...servers,
    publish() {
      room.emit("event", JSON.parse(gavelFrame(lotId, ++n)));
    },
    publishErrors: () => errors,
    async stop() {
      await client.quit();
      await servers.stop();
      await redis.stop();
    },
  };
}

async function startBare(natsUrl: string, lotId: string): Promise<RunningSystem> {
  const subject = `bench.bare.${lotId}`;
  const servers = await startPair("bare-ws-server.ts", (port) => [String(port), natsUrl, subject]);
  const nc = await connect({ servers: natsUrl });
  let n = 0;
  let errors = 0;
  return {
    client: "bare",
    ...servers,
    publish() {
      try {
        nc.publish(subject, gavelFrame(lotId, ++n));
      } catch {
        errors++;
      }
    },
    publishErrors: () => errors,
    async stop() {
      await nc.close();
      await servers.stop();
    },
  };
}
