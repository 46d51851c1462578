import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  natsAccountsConfig,
  natsPasswords,
  natsPasswordsEnv,
  type AppName,
} from "@gavel/testing/processes";
import { forgetProcess, recordProcess } from "./process-records.ts";

export interface LocalNats {
  url: string;
  process: ChildProcess;
  /** Each app's NATS password for this run (the user is the app's name). */
  passwords: Record<AppName, string>;
  /** Stops the server (SIGTERM: it syncs its store) and forgets its pid file. */
  stop(): Promise<void>;
}

export interface LocalNatsOptions {
  root: string;
  /** Where its store, config and pid file live (npm start: .gavel in the repo). */
  stateDir: string;
  port: number;
  monitorPort: number;
}

/** The pid file's name under <state dir>/pids. */
const RECORD = "nats-server";

/**
 * A nats-server with JetStream for the local stack, built by scripts/tools/nats-server.sh on
 * first use, storing under <state dir>/nats so lots and users survive a restart. Its users
 * are the chart's, with fresh passwords each run, so one an earlier run left running is
 * stopped (stopLeftovers), never reused: docs/development.md#the-stack-on-one-machine-npm-start
 */
export async function startLocalNats(options: LocalNatsOptions): Promise<LocalNats> {
  const { root, stateDir, port, monitorPort } = options;
  const bin = execFileSync(join(root, "scripts/tools/nats-server.sh"), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  const storeDir = join(stateDir, "nats");
  mkdirSync(storeDir, { recursive: true });
  // The passwords are read from the server's environment: the file holds none.
  const config = join(stateDir, "nats.conf");
  writeFileSync(config, natsAccountsConfig());
  const passwords = natsPasswords();
  const child = spawn(
    bin,
    [
      ...["-c", config, "-js", "-sd", storeDir, "-a", "127.0.0.1"],
      ...["-p", String(port), "-m", String(monitorPort), "-n", "gavel-local"],
    ],
    {
      env: { PATH: process.env.PATH ?? "", ...natsPasswordsEnv(passwords) },
      stdio: ["ignore", "ignore", "pipe"],
      // Its own process group: Ctrl-C reaches the services, and NATS stays up while they
      // drain; start.ts stops it after them.
      detached: true,
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  recordProcess(stateDir, RECORD, child.pid!, true);
  let output = "";
  await new Promise<void>((resolve, reject) => {
    void exited.then(() => {
      forgetProcess(stateDir, RECORD);
      reject(new Error(`nats-server exited while starting\n${output}`));
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Server is ready")) resolve();
    });
  });
  // Read on, unkept: a pipe nobody reads would block the server once full.
  child.stderr?.removeAllListeners("data").resume();
  return {
    url: `nats://127.0.0.1:${port}`,
    process: child,
    passwords,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      forgetProcess(stateDir, RECORD);
    },
  };
}
