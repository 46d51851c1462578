import { startNatsServer, type NatsServerHandle } from "@gavel/testing";

/**
 * The NATS a bench runs on: by default the pinned nats-server binary, a child of this
 * process, so no container engine is needed and its CPU can be read like the services'.
 * GAVEL_TEST_NATS=container (or auto) still chooses otherwise. The bench's
 * requirePrerequisites (natsServer) has made sure the binary is there.
 */
export function startBenchNats(): Promise<NatsServerHandle> {
  return startNatsServer({
    ...process.env,
    GAVEL_TEST_NATS: process.env.GAVEL_TEST_NATS ?? "binary",
  });
}
