import { spawnSync } from "node:child_process";
import { natsServerBinary, startNatsServer, type NatsServerHandle } from "@gavel/testing";
import { MissingPrerequisite } from "./missing-prerequisite.ts";

/**
 * The NATS a bench runs on: by default the pinned nats-server binary, a child of this
 * process, so no container engine is needed and its CPU can be read like the services'.
 * GAVEL_TEST_NATS=container (or auto) still chooses otherwise.
 */
export function startBenchNats(): Promise<NatsServerHandle> {
  const env = { ...process.env, GAVEL_TEST_NATS: process.env.GAVEL_TEST_NATS ?? "binary" };
  if (env.GAVEL_TEST_NATS === "binary") requireNatsServer(env);
  return startNatsServer(env);
}

/** Fails with what to do when the nats-server binary is missing or cannot run. */
function requireNatsServer(env: NodeJS.ProcessEnv): void {
  const bin = natsServerBinary(env);
  const { error } = spawnSync(bin, ["--version"], { stdio: "ignore" });
  if (error)
    throw new MissingPrerequisite(
      `cannot run ${bin} (${(error as NodeJS.ErrnoException).code ?? error.message}): ` +
        "run scripts/tools/nats-server.sh or set NATS_SERVER_BIN",
    );
}
