/**
 * Server processes the push bench starts besides Gavel's own services (those come from
 * @gavel/testing's startService): a bench script such as socketio-server.ts, and a
 * throwaway redis-server. Each is stopped by its handle; any still running when the bench
 * process exits is killed with it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { freePort } from "@gavel/testing";
import { activateInspector, INSPECTABLE, inspectorUrl } from "./node-inspector.ts";

export interface ChildServer {
  pid: number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => running.forEach((child) => child.kill("SIGKILL")));

/**
 * Runs a script with Node (a file URL: `new URL("x.ts", import.meta.url)`) and waits for its
 * "ready" line; then switches on its inspector for InspectorSession.
 */
export async function startScript(
  scriptUrl: URL,
  args: string[],
): Promise<ChildServer & { inspector: string }> {
  const file = fileURLToPath(scriptUrl);
  const script = file.slice(file.lastIndexOf("/") + 1);
  const child = spawn(process.execPath, [file, ...args], {
    env: { ...process.env, NODE_OPTIONS: INSPECTABLE },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let inspector: string | undefined;
  createInterface({ input: child.stderr! }).on("line", (line) => {
    inspector ??= inspectorUrl(line);
    // The inspector's own notices are expected; anything else is worth seeing.
    if (!/^(Debugger |For help, see)/.test(line)) process.stderr.write(`[${script}] ${line}\n`);
  });
  await waitForLine(child, script, (line) => line === "ready");
  return {
    pid: child.pid!,
    inspector: await activateInspector(child.pid!, () => inspector),
    stop: () => stop(child),
  };
}

/** `count` instances of a script, each on its own free port (`args` gets the port). */
export async function startServers(script: URL, count: number, args: (port: number) => string[]) {
  const servers: Array<ChildServer & { inspector: string }> = [];
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  try {
    for (const port of ports) servers.push(await startScript(script, args(port)));
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }
  return {
    urls: ports.map((port) => `http://127.0.0.1:${port}`),
    inspectors: servers.map((s) => s.inspector),
    pids: servers.map((s) => s.pid),
    stop: () => Promise.all(servers.map((s) => s.stop())).then(() => undefined),
  };
}

/**
 * A redis-server on a free port, keeping nothing on disk. The binary is REDIS_SERVER_BIN
 * or redis-server on PATH (scripts/tools/redis-server.sh installs Debian's).
 */
export async function startRedis(): Promise<ChildServer & { url: string }> {
  const bin = process.env.REDIS_SERVER_BIN ?? "redis-server";
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "gavel-redis-"));
  const child = spawn(
    bin,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  try {
    await waitForLine(child, "redis-server", (line) => line.includes("Ready to accept"));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    throw missing
      ? new Error(`no ${bin}: run scripts/tools/redis-server.sh (or set REDIS_SERVER_BIN)`)
      : err;
  }
  return {
    pid: child.pid!,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await stop(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function waitForLine(
  child: ChildProcess,
  name: string,
  matches: (line: string) => boolean,
): Promise<void> {
  running.add(child);
  child.once("exit", () => running.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} did not start within 20 s`));
    }, 20_000);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} while starting`));
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (!matches(line)) return;
      clearTimeout(timer);
      resolve();
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
