import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createLogger } from "@gavel/logging";
import { freePort, natsServerBinary } from "@gavel/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DurableWorker, Unprocessable, type DurableWork } from "../src/durable-worker.ts";

let nc: NatsConnection;
const stream = `WORKER_TEST_${randomUUID().slice(0, 8)}`;
const prefix = `worker-test.${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  nc = await connect({ servers: inject("natsUrl") });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.*`] });
});
afterAll(async () => {
  await (await jetstreamManager(nc)).streams.delete(stream);
  await nc.drain();
});

/** A worker whose handler fails each message as `failures` says, recording every call. */
function workerFailing(failures: Record<string, Error[]>) {
  const calls: string[] = [];
  const work: DurableWork = {
    stream,
    consumer: `test-${randomUUID().slice(0, 8)}`,
    filterSubject: `${prefix}.*`,
    subjectTemplate: `${prefix}.{id}`,
    deliverPolicy: DeliverPolicy.All,
    async handle(message) {
      const id = message.subject.slice(prefix.length + 1);
      calls.push(id);
      const err = failures[id]?.shift();
      if (err) throw err;
    },
  };
  const logger = createLogger({ service: "worker-test", level: "silent" });
  return { worker: new DurableWorker(nc, work, logger), calls, work };
}

async function pending(work: DurableWork) {
  const info = await (await jetstreamManager(nc)).consumers.info(stream, work.consumer);
  return { unacked: info.num_ack_pending, undelivered: info.num_pending };
}

describe("a durable worker", () => {
  it("redelivers a message whose work failed, and terminates one no retry can help", async () => {
    const { worker, calls, work } = workerFailing({
      transient: [new Error("NATS went away")],
      garbage: [new Unprocessable("not an event"), new Unprocessable("not an event")],
    });
    const js = jetstream(nc);
    for (const id of ["transient", "garbage", "fine"]) await js.publish(`${prefix}.${id}`);
    await worker.start();
    try {
      await expect
        .poll(() => calls.filter((id) => id === "transient"), { timeout: 10_000 })
        .toHaveLength(2);
      await expect.poll(() => pending(work)).toEqual({ unacked: 0, undelivered: 0 });
      // Terminated at once: handled exactly once, never handed out again.
      expect(calls.filter((id) => id === "garbage")).toEqual(["garbage"]);
      expect(calls.filter((id) => id === "fine")).toEqual(["fine"]);
    } finally {
      await worker.stop();
    }
    expect(worker.running).toBe(false);
  });
});

describe("a durable worker starting while NATS restarts", () => {
  it("sets its consumer up once NATS answers again, instead of failing the start", async () => {
    const port = await freePort();
    const storeDir = await mkdtemp(join(tmpdir(), "gavel-worker-"));
    const startServer = () =>
      spawn(natsServerBinary(), ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir], {
        stdio: "ignore",
      });
    const stop = async (server: ChildProcess) => {
      server.kill();
      if (server.exitCode === null) await once(server, "exit");
    };
    let server = startServer();
    const restarting = await connect({
      servers: `nats://127.0.0.1:${port}`,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
    });
    const name = "RESTART_TEST";
    await (await jetstreamManager(restarting)).streams.add({ name, subjects: ["restart.*"] });
    await stop(server); // down while the worker starts, as in a rolling upgrade
    const calls: string[] = [];
    const worker = new DurableWorker(
      restarting,
      {
        stream: name,
        consumer: "restart-test",
        filterSubject: "restart.*",
        subjectTemplate: "restart.{id}",
        deliverPolicy: DeliverPolicy.All,
        async handle(message) {
          calls.push(message.subject);
        },
      },
      createLogger({ service: "worker-test", level: "silent" }),
    );
    let started = false;
    const starting = worker.start().then(() => (started = true));
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(started).toBe(false);
      server = startServer(); // the same store: the stream is still there
      await starting;
      expect(worker.running).toBe(true);
      await jetstream(restarting).publish("restart.one");
      await expect.poll(() => calls, { timeout: 10_000 }).toEqual(["restart.one"]);
    } finally {
      await worker.stop();
      await restarting.close();
      await stop(server);
      await rm(storeDir, { recursive: true, force: true });
    }
  });
});
