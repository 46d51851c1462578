import { Writable } from "node:stream";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@gavel/logging";
import { startNatsServer, type NatsServerHandle } from "@gavel/testing";
import { ResumingConsumer } from "../src/feeds/resuming-consumer.ts";

let nats: NatsServerHandle;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "RESUMING", subjects: ["resuming.>"] });
});

afterAll(async () => {
  await nc.close();
  await nats.stop();
});

/** Log lines as objects, to see what the consumer said. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ service: "push-test", destination }), lines };
}

describe("a resuming consumer", () => {
  it("follows again from right after the message its loop failed on, repeating nothing", async () => {
    const js = jetstream(nc);
    for (let i = 1; i <= 3; i++) await js.publish("resuming.a", `before ${i}`);
    const { logger, lines } = capturedLogger();
    const seen: string[] = [];
    let failOnce = true;
    const consumer = new ResumingConsumer(
      js,
      "RESUMING",
      "resuming.a",
      1, // after the first event
      (message) => {
        const text = message.string();
        // A listener that throws ends the consume loop: the consumer comes back right
        // after this message (passed, so that one bad event cannot stall its channel).
        if (text === "live 2" && failOnce) {
          failOnce = false;
          throw new Error("a listener failed");
        }
        seen.push(text);
      },
      logger,
    );
    await consumer.start();
    for (let i = 1; i <= 5; i++) await js.publish("resuming.a", `live ${i}`);
    await expect.poll(() => seen.at(-1), { timeout: 10_000 }).toBe("live 5");
    expect(seen).toEqual(["before 2", "before 3", "live 1", "live 3", "live 4", "live 5"]);
    expect(lines.some((l) => String(l.msg).startsWith("live feed failed"))).toBe(true);
    expect(consumer.position).toBe(8);
    await consumer.close();
    await js.publish("resuming.a", "after close");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.at(-1)).toBe("live 5");
  });
});
