import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { untilHttpOk } from "@gavel/testing/processes";
import type { PortNeed } from "./port-holder.ts";
import { forgetProcess, recordProcess } from "./process-records.ts";

/** Where the local Jaeger listens; loopback only. */
export const localJaeger = {
  /** OTLP/HTTP, the SDK's default protocol: what the services export to. */
  otlpHttp: "http://127.0.0.1:4318",
  /**
   * The query API (`/api/traces?service=edge`), which the edge's GET /traces/<id> reads
   * (GAVEL_TRACE_QUERY_URL); the UI is a placeholder in this build.
   */
  query: "http://127.0.0.1:16686",
  /** Every port its all-in-one config listens on, for the check before it starts. */
  ports: [
    ...[
      4317, 4318, 5778, 5779, 8888, 9411, 13132, 13133, 14250, 14268, 16685, 16686, 27777, 27778,
    ].map((port) => ({ port, protocol: "tcp", user: "Jaeger" }) as const),
    ...[6831, 6832].map((port) => ({ port, protocol: "udp", user: "Jaeger" }) as const),
  ] satisfies PortNeed[],
};

export interface LocalJaeger {
  process: ChildProcess;
  /** Stops it (its traces go with it) and forgets its pid file. */
  stop(): Promise<void>;
}

/** The pid file's name under <state dir>/pids. */
const RECORD = "jaeger";

/**
 * Jaeger v2 all-in-one with memory storage for the local stack, built by scripts/tools/jaeger.sh
 * on first use; JAEGER_LISTEN_HOST and two `--set`s keep every port of its embedded config on
 * loopback. Resolves once the query API answers; logs to <state dir>/jaeger.log:
 * docs/development.md#the-stack-on-one-machine-npm-start
 */
export async function startLocalJaeger(root: string, stateDir: string): Promise<LocalJaeger> {
  const bin = execFileSync(join(root, "scripts/tools/jaeger.sh"), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  mkdirSync(stateDir, { recursive: true });
  const logFile = join(stateDir, "jaeger.log");
  const log = openSync(logFile, "w");
  const child = spawn(
    bin,
    [
      "--set=extensions.jaeger_query.http.endpoint=127.0.0.1:16686",
      "--set=extensions.jaeger_query.grpc.endpoint=127.0.0.1:16685",
    ],
    {
      env: { PATH: process.env.PATH ?? "", JAEGER_LISTEN_HOST: "127.0.0.1" },
      stdio: ["ignore", log, log],
      // Its own process group, like NATS: it receives the services' last spans after
      // Ctrl-C reached them; start.ts stops it last.
      detached: true,
    },
  );
  closeSync(log); // the child holds its own copy
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code) => {
      exitCode = code;
      resolve();
    }),
  );
  recordProcess(stateDir, RECORD, child.pid!, true);
  const answer = await untilHttpOk(`${localJaeger.query}/api/services`, {
    timeoutMs: 30_000,
    intervalMs: 200,
    gone: () => exitCode !== undefined,
  });
  if (answer === "ok")
    return {
      process: child,
      async stop() {
        if (exitCode === undefined) child.kill("SIGTERM");
        await exited;
        forgetProcess(stateDir, RECORD);
      },
    };
  child.kill("SIGKILL");
  forgetProcess(stateDir, RECORD);
  const tail = readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n");
  throw new Error(
    `jaeger ${exitCode === undefined ? "never answered" : `exited with ${exitCode}`} (are ports 4317, 4318 or 16686 taken?); last lines of ${logFile}:\n${tail}`,
  );
}
