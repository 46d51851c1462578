import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { freePort } from "./free-port.ts";
import { untilHttpOk } from "./until-http-ok.ts";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Every child still running. When the test process exits (a failed setup, a crash, a
 * runner that tears down early), they are killed with it, so no service outlives its run.
 */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export type AppName =
  "catalog" | "bidding" | "identity" | "edge" | "bff" | "push" | "notifier" | "settlement";

/**
 * Apps that serve health on their one HTTP port rather than a separate admin port (the
 * notifier serves nothing else).
 */
const SINGLE_PORT_APPS: ReadonlySet<AppName> = new Set(["edge", "bff", "push", "notifier"]);

export interface ServiceProcess {
  app: AppName;
  rpcUrl: string;
  adminUrl: string;
  pid: number;
  /**
   * The V8 inspector's HTTP address, when started with `inspect: true` (Node apps only),
   * for heapAfterGc.
   */
  inspectUrl?: string;
  /** Every line the process wrote, parsed when JSON (the latest `keepLines`, if given). */
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
export interface StartOptions {
  /** Which of the app's log lines to copy to this process's stderr (default: errors). */
  echo?: "errors" | "all";
  /**
   * Open the V8 inspector on a free loopback port (Node apps; ignored for the Go one), so
   * a test can collect garbage and read the live heap (heapAfterGc). Tests only.
   */
  inspect?: boolean;
  /**
   * Keep only the latest lines in `logs` (default: every line, for tests to read back);
   * npm start, which runs for hours, keeps what a failure to start would show.
   */
  keepLines?: number;
}

export async function startService(
  app: AppName,
  env: Record<string, string>,
  options: StartOptions = {},
): Promise<ServiceProcess> {
  const port = env.PORT ?? String(await freePort());
  const adminPort = SINGLE_PORT_APPS.has(app) ? port : (env.ADMIN_PORT ?? String(await freePort()));
  const inspectPort = options.inspect && app !== "settlement" ? await freePort() : undefined;
  const [command, args] = commandOf(app, inspectPort);
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOST: "127.0.0.1",
      ...env,
      PORT: port,
      ADMIN_PORT: adminPort,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so a Ctrl-C at the terminal does not reach it: whoever
    // started it stops it once, with stop(), in order (services, then NATS). A service
    // that got the terminal's signal and then stop()'s would take the second one as
    // "exit now" and skip its drain.
    detached: true,
  });
  running.add(child);
  const logs: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  collectLines(app, child, logs, options);
  const urls = { rpcUrl: `http://127.0.0.1:${port}`, adminUrl: `http://127.0.0.1:${adminPort}` };
  try {
    await waitUntilReady(app, urls.adminUrl, logs, exited);
  } catch (err) {
    child.kill("SIGKILL"); // never leave a half-started process behind
    throw err;
  }

  return {
    app,
    ...urls,
    pid: child.pid ?? -1,
    ...(inspectPort ? { inspectUrl: `http://127.0.0.1:${inspectPort}` } : {}),
    logs,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * How to run the app: its source entry by default; its bundle (npm run build) with
 * GAVEL_TEST_ENTRY=dist, so CI can run the same tests against what the images ship. The
 * Go app runs as its binary: built from source once per test process (Go's build cache
 * makes that quick), or the one `npm run build` made with dist.
 */
function commandOf(app: AppName, inspectPort?: number): [string, string[]] {
  const entry = process.env.GAVEL_TEST_ENTRY ?? "src";
  if (entry !== "src" && entry !== "dist")
    throw new Error(`GAVEL_TEST_ENTRY must be src or dist, not ${entry}`);
  if (app === "settlement")
    return [entry === "dist" ? join(repoRoot, "apps/settlement/dist/settlement") : goBinary(), []];
  const inspect = inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [];
  // Type stripping keeps every line and column, so the source needs no maps; the bundle
  // does (kept in memory: some 10 MiB a process).
  if (entry === "src") return [process.execPath, [...inspect, `apps/${app}/src/main.ts`]];
  return [process.execPath, [...inspect, "--enable-source-maps", `apps/${app}/dist/main.js`]];
}

let builtGoBinary: string | undefined;

/**
 * Builds apps/settlement from source once per process, into apps/settlement/dist/test
 * (ignored by git): built beside, then renamed into place, so test processes building
 * at once never run a half-written file.
 */
export function goBinary(): string {
  if (builtGoBinary) return builtGoBinary;
  const dir = join(repoRoot, "apps/settlement/dist/test");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, "settlement");
  const partial = `${out}.${process.pid}`;
  execFileSync("go", ["build", "-o", partial, "."], {
    cwd: join(repoRoot, "apps/settlement"),
    env: { ...process.env, CGO_ENABLED: "0" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  renameSync(partial, out);
  builtGoBinary = out;
  return out;
}

/** Keeps the lines, and echoes errors to the test output so failures explain themselves. */
function collectLines(
  app: AppName,
  child: ChildProcess,
  logs: Array<Record<string, unknown>>,
  { echo = "errors", keepLines = Infinity }: StartOptions,
): void {
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
      if (logs.length > keepLines) logs.shift();
      if (echo === "all" || entry.level === "error" || entry.level === "fatal")
        process.stderr.write(`[${app}] ${line}\n`);
    });
  }
}

async function waitUntilReady(
  app: AppName,
  adminUrl: string,
  logs: Array<Record<string, unknown>>,
  exited: Promise<number | null>,
): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const answer = await untilHttpOk(`${adminUrl}/readyz`, {
    timeoutMs: 20_000,
    intervalMs: 50,
    gone: () => exitCode !== undefined,
  });
  if (answer === "ok") return;
  throw failure(
    app,
    answer === "gone" ? `exited with ${exitCode} while starting` : "never became ready",
    logs,
  );
}

function failure(app: string, what: string, logs: Array<Record<string, unknown>>): Error {
  const tail = logs
    .slice(-20)
    .map((l) => JSON.stringify(l))
    .join("\n");
  return new Error(`${app} ${what}; last lines:\n${tail}`);
}
