import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

/**
 * A nats-server with JetStream for the local stack, built from its pinned Go module
 * by scripts/tools/nats-server.sh on first use, storing under .gavel/nats so lots and
 * users survive a restart of the stack.
 */
export async function startLocalNats(root: string, port: number): Promise<ChildProcess> {
  const bin = execFileSync(join(root, "scripts/tools/nats-server.sh"), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  const storeDir = join(root, ".gavel", "nats");
  mkdirSync(storeDir, { recursive: true });
  const child = spawn(
    bin,
    [
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
  return child;
}
