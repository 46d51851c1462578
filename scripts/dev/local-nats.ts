import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { natsAccountsConfig, natsPasswords, natsPasswordsEnv, type AppName } from "@gavel/testing";

export interface LocalNats {
  process: ChildProcess;
  /** Each app's NATS password for this run (the user is the app's name). */
  passwords: Record<AppName, string>;
}

/**
 * A nats-server with JetStream for the local stack, built from its pinned Go module
 * by scripts/tools/nats-server.sh on first use, storing under .gavel/nats so lots and
 * users survive a restart of the stack. It has the chart's NATS users (one per app,
 * allowed only its own subjects, no anonymous access), with fresh passwords each run:
 * the services are started with theirs, and nothing else connects.
 */
export async function startLocalNats(root: string, port: number): Promise<LocalNats> {
  const bin = execFileSync(join(root, "scripts/tools/nats-server.sh"), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  const storeDir = join(root, ".gavel", "nats");
  mkdirSync(storeDir, { recursive: true });
  // The passwords are read from the server's environment: the file holds none.
  const config = join(root, ".gavel", "nats.conf");
  writeFileSync(config, natsAccountsConfig());
  const passwords = natsPasswords();
  const child = spawn(
    bin,
    [
      "-c",
      config,
      "-js",
      "-sd",
      storeDir,
      "-a",
      "127.0.0.1",
      "-p",
      String(port),
      "-m",
      "8222",
      "-n",
      "gavel-local",
    ],
    {
      env: { PATH: process.env.PATH ?? "", ...natsPasswordsEnv(passwords) },
      stdio: ["ignore", "ignore", "pipe"],
      // Its own process group: Ctrl-C reaches the services, and NATS stays up while they
      // drain; start.ts stops it after them.
      detached: true,
    },
  );
  await new Promise<void>((resolve, reject) => {
    let output = "";
    child.once("exit", (code) =>
      reject(
        new Error(
          `nats-server exited with ${code} (is port ${port} taken? set NATS_URL to use a running server)\n${output}`,
        ),
      ),
    );
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Server is ready")) resolve();
    });
  });
  child.removeAllListeners("exit");
  return { process: child, passwords };
}
