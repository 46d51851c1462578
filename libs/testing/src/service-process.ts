import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export type AppName = "catalog" | "bidding" | "identity";

export interface ServiceProcess {
  app: AppName;
  rpcUrl: string;
  adminUrl: string;
  pid: number;
  /** Every line the process wrote, parsed when JSON. */
  logs: Array<Record<string, unknown>>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Sends the signal (SIGTERM: graceful) and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts an app from its real entry point as its own process, on free ports, and
 * waits until its readiness endpoint answers. Nothing is mocked: the app reads its
 * config from env, connects to NATS and serves over the network.
 */
export async function startService(app: AppName, env: Record<string, string>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [`apps/${app}/src/main.ts`], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", PORT: "0", ADMIN_PORT: "0", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  collectLines(app, child, logs);

  const urls = await new Promise<{ rpcUrl: string; adminUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(failure(app, "did not start in 20 s", logs)), 20_000);
    void exited.then((code) => reject(failure(app, `exited with ${code} while starting`, logs)));
    const poll = setInterval(() => {
      const serving = logs.find((l) => l.msg === "serving");
      if (!serving) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ rpcUrl: String(serving.rpc_url), adminUrl: String(serving.admin_url) });
    }, 20);
  });
  await waitUntilReady(app, urls.adminUrl, logs);

  return {
    app,
    ...urls,
    pid: child.pid ?? -1,
    logs,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Keeps every line, and echoes errors to the test output so failures explain themselves. */
function collectLines(app: AppName, child: ChildProcess, logs: Array<Record<string, unknown>>): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { msg: line };
      }
      logs.push(entry);
      if (entry.level === "error" || entry.level === "fatal") process.stderr.write(`[${app}] ${line}\n`);
    });
  }
}

async function waitUntilReady(app: AppName, adminUrl: string, logs: Array<Record<string, unknown>>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${adminUrl}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw failure(app, "never became ready", logs);
}

function failure(app: string, what: string, logs: Array<Record<string, unknown>>): Error {
  const tail = logs.slice(-20).map((l) => JSON.stringify(l)).join("\n");
  return new Error(`${app} ${what}; last lines:\n${tail}`);
}
