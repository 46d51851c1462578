import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { startNatsServer } from "../src/nats-server.ts";

describe("startNatsServer", () => {
  it("starts a NATS with JetStream in the configured mode and stops it completely", async () => {
    const nats = await startNatsServer();
    const nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "HARNESS", subjects: ["harness.>"] });
    const ack = await jetstream(nc).publish("harness.x", "hello");
    expect(ack.seq).toBe(1);
    await nc.close();
    await nats.stop();
    await expect(connect({ servers: nats.url, reconnect: false, timeout: 1000 })).rejects.toThrow();
  });

  it("refuses an unknown mode with a message naming the setting", async () => {
    await expect(startNatsServer({ GAVEL_TEST_NATS: "podman" })).rejects.toThrow(/GAVEL_TEST_NATS/);
  });
});
