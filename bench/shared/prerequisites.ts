/**
 * What a bench needs of the machine besides node_modules, checked (or fetched, the way
 * `npm start` fetches nats-server) before the bench starts anything: a missing one ends
 * the bench in its first second with a line saying what to install or run, not after
 * minutes of measuring with a stack trace from deep inside a helper.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { natsServerBinary } from "@gavel/testing";

/** Something a bench needs: undefined when it is there, else what to do about it. */
export type Prerequisite = () => string | undefined;

/** Checks a bench's prerequisites in order; any missing ends the process, exit code 1. */
export function requirePrerequisites(bench: string, needs: Prerequisite[]): void {
  const missing = needs.map((need) => need()).filter((line) => line !== undefined);
  if (missing.length === 0) return;
  for (const line of missing) process.stderr.write(`${bench}: ${line}\n`);
  process.exit(1);
}

/** Linux's /proc, where the benches read each process's CPU time. */
export const linuxProc: Prerequisite = () =>
  existsSync("/proc/self/stat")
    ? undefined
    : `CPU time is read from Linux's /proc, which ${process.platform} does not have`;

/**
 * Go, which builds the settlement service and the pinned nats-server; found in
 * /usr/local/go/bin when it is not on PATH, as .ci/run does.
 */
export const go: Prerequisite = () => {
  if (runs("go", ["version"])) return undefined;
  if (!runs("/usr/local/go/bin/go", ["version"]))
    return "Go is not installed: install Go 1.26 (https://go.dev/dl/) and put it on PATH";
  process.env.PATH = `/usr/local/go/bin:${process.env.PATH ?? ""}`;
  return undefined;
};

/**
 * The nats-server binary, when the bench runs NATS as one (`always`, or unless
 * GAVEL_TEST_NATS says otherwise): NATS_SERVER_BIN, else the pinned version, built by
 * scripts/tools/nats-server.sh on first use; without Go, a nats-server on PATH.
 */
export const natsServer =
  (always = false): Prerequisite =>
  () => {
    if (!always && (process.env.GAVEL_TEST_NATS ?? "binary") !== "binary") return undefined;
    const given = process.env.NATS_SERVER_BIN;
    if (given)
      return runs(given, ["--version"])
        ? undefined
        : `NATS_SERVER_BIN=${given} does not run: point it at a nats-server, or unset it`;
    if (go() === undefined)
      return fetchTool("nats-server.sh") === undefined
        ? "scripts/tools/nats-server.sh could not build nats-server (see above)"
        : undefined;
    return runs(natsServerBinary(), ["--version"])
      ? undefined
      : "no nats-server: install Go 1.26 (the bench builds the pinned one with it) or set NATS_SERVER_BIN";
  };

/**
 * redis-server, for the Socket.IO system: REDIS_SERVER_BIN, else one on PATH, else
 * Debian's, installed by scripts/tools/redis-server.sh when the bench runs as root.
 */
export const redisServer: Prerequisite = () => {
  const given = process.env.REDIS_SERVER_BIN;
  if (given)
    return runs(given, ["--version"])
      ? undefined
      : `REDIS_SERVER_BIN=${given} does not run: point it at a redis-server, or unset it`;
  if (runs("redis-server", ["--version"])) return undefined;
  const installed = process.getuid?.() === 0 ? fetchTool("redis-server.sh") : undefined;
  if (installed) process.env.REDIS_SERVER_BIN = installed;
  return installed
    ? undefined
    : "no redis-server (the Socket.IO system needs it): run scripts/tools/redis-server.sh as " +
        "root, set REDIS_SERVER_BIN, or leave socketio out of --systems";
};

/** openssl, which makes the throwaway certificate of the edge's TLS front. */
export const openssl: Prerequisite = () =>
  runs("openssl", ["version"])
    ? undefined
    : "no openssl (it makes the edge's TLS certificate): apt-get install -y openssl";

/** Whether `bin args` runs and exits 0. */
function runs(bin: string, args: string[]): boolean {
  const { error, status } = spawnSync(bin, args, { stdio: "ignore" });
  return !error && status === 0;
}

/** Runs one of scripts/tools' ensure-scripts (its log shown); the path it prints. */
function fetchTool(script: string): string | undefined {
  const file = fileURLToPath(new URL(`../../scripts/tools/${script}`, import.meta.url));
  const { status, stdout } = spawnSync(file, {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  return status === 0 ? stdout.trim() : undefined;
}
