import { spawn } from "node:child_process";
import { once } from "node:events";
import { Writable } from "node:stream";
import { connect } from "@nats-io/transport-node";
import { createLogger } from "@gavel/logging";
import { freePort, natsServerBinary } from "@gavel/testing";
import { describe, expect, inject, it } from "vitest";
import { connectNats, untilJetStream } from "../src/connect.ts";

/** A logger whose lines the test reads. */
function recordingLogger() {
  const lines: Array<{ msg: string }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string });
      done();
    },
  });
  return { logger: createLogger({ service: "test", destination }), lines };
}

describe("untilJetStream", () => {
  it("resolves at once where JetStream answers", async () => {
    const { logger, lines } = recordingLogger();
    const nc = await connectNats({ servers: [inject("natsUrl")], name: "test" }, logger);
    await nc.close();
    expect(lines.map((l) => l.msg)).not.toContain("waiting for JetStream");
  });

  it("waits, saying so, while the server has no JetStream to answer, and stops when the connection closes", async () => {
    const port = await freePort();
    // A server without JetStream: nobody answers $JS.API.INFO, as while a new cluster elects its leader.
    const server = spawn(natsServerBinary(), ["-a", "127.0.0.1", "-p", String(port)], {
      stdio: "ignore",
    });
    try {
      const nc = await connect({ servers: `nats://127.0.0.1:${port}`, waitOnFirstConnect: true });
      const { logger, lines } = recordingLogger();
      let settled = false;
      const waiting = untilJetStream(nc, logger).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(settled).toBe(false);
      expect(lines.map((l) => l.msg)).toContain("waiting for JetStream");
      await nc.close();
      await expect(waiting).rejects.toThrow();
    } finally {
      server.kill();
      await once(server, "exit");
    }
  });
});
