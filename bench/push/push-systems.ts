/**
 * The systems push-fanout.bench.ts compares (gavel, gavel-sse, socketio, bare:
 * docs/benchmarks.md#push-fan-out-against-socketio-and-a-bare-ws-floor), each as server
 * processes carrying the same lots, and the publisher that feeds each the same synthetic
 * bids, on the lots in turn, with the publish time in the bid id for clients' latency.
 */
import { toBinary, toJsonString } from "@bufbuild/protobuf";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Emitter } from "@socket.io/redis-emitter";
import { createClient } from "redis";
import { lotSubject } from "@gavel/nats";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { serviceEnv, startService, syntheticBid, type ServiceProcess } from "@gavel/testing";
import { startRedis, startServers } from "../shared/child-servers.ts";
import { activateInspector, INSPECTABLE, inspectorUrl } from "../shared/node-inspector.ts";
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
  /**
   * Publishes one event now, on the next lot in turn, and returns that lot's index in
   * the options' lotIds; failures are counted, not thrown.
   */
  publish(): number;
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

export interface SystemOptions {
  natsUrl: string;
  /** The lots published on, in turn. */
  lotIds: string[];
  /** Server processes. */
  servers: number;
  /** More settings for Gavel's push processes (GAVEL_PUSH_FEEDS, say). */
  pushEnv?: Record<string, string>;
}

export async function startSystem(
  name: SystemName,
  options: SystemOptions,
): Promise<RunningSystem> {
  if (name === "gavel" || name === "gavel-sse") return startGavel(name, options);
  if (name === "socketio") return startSocketIo(options);
  return startBare(options);
}

/** A publish function that takes the lots in turn; event numbers count from 1. */
function inTurn(lotIds: string[], publishOn: (lotId: string, n: number) => void) {
  let n = 0;
  return () => {
    const lot = ++n % lotIds.length;
    publishOn(lotIds[lot]!, n);
    return lot;
  };
}

async function startGavel(
  name: "gavel" | "gavel-sse",
  { natsUrl, lotIds, servers, pushEnv = {} }: SystemOptions,
): Promise<RunningSystem> {
  const env = { ...serviceEnv(natsUrl), LOG_LEVEL: "warn", NODE_OPTIONS: INSPECTABLE, ...pushEnv };
  const replicas: ServiceProcess[] = [];
  try {
    for (let i = 0; i < servers; i++)
      replicas.push(await startService("push", { ...env, GAVEL_REPLICA_ID: `push-${i + 1}` }));
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
  let errors = 0;
  return {
    client: name === "gavel" ? "gavel-ws" : "gavel-sse",
    urls: replicas.map((r) => r.rpcUrl),
    pids: replicas.map((r) => r.pid),
    inspectors,
    publish: inTurn(lotIds, (lotId, n) => {
      js.publish(lotSubject(lotId), toBinary(LotEventSchema, bidEvent(lotId, n))).catch(
        () => errors++,
      );
    }),
    publishErrors: () => errors,
    async stop() {
      await nc.close();
      await Promise.all(replicas.map((r) => r.stop()));
    },
  };
}

async function startSocketIo({ lotIds, servers: count }: SystemOptions): Promise<RunningSystem> {
  const redis = await startRedis();
  let servers: Awaited<ReturnType<typeof startServers>>;
  try {
    servers = await startServers(new URL("socketio-server.ts", import.meta.url), count, (port) => [
      String(port),
      redis.url,
    ]);
  } catch (err) {
    await redis.stop();
    throw err;
  }
  let errors = 0;
  const client = createClient({ url: redis.url });
  client.on("error", () => errors++);
  await client.connect();
  const emitter = new Emitter(client);
  return {
    client: "socketio",
    ...servers,
    publish: inTurn(lotIds, (lotId, n) => {
      emitter.to(`lot:${lotId}`).emit("event", JSON.parse(gavelFrame(lotId, n)));
    }),
    publishErrors: () => errors,
    async stop() {
      await client.quit();
      await servers.stop();
      await redis.stop();
    },
  };
}

async function startBare({
  natsUrl,
  lotIds,
  servers: count,
}: SystemOptions): Promise<RunningSystem> {
  const prefix = "bench.bare";
  const args = (port: number) => [String(port), natsUrl, prefix];
  const servers = await startServers(new URL("bare-ws-server.ts", import.meta.url), count, args);
  const nc = await connect({ servers: natsUrl });
  let errors = 0;
  return {
    client: "bare",
    ...servers,
    publish: inTurn(lotIds, (lotId, n) => {
      try {
        nc.publish(`${prefix}.${lotId}`, gavelFrame(lotId, n));
      } catch {
        errors++;
      }
    }),
    publishErrors: () => errors,
    async stop() {
      await nc.close();
      await servers.stop();
    },
  };
}
