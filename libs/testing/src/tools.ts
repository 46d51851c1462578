import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Pinned tool versions: scripts/tools/versions.env is the one place they are written. */
function readVersions(): Record<string, string> {
  const file = fileURLToPath(new URL("../../../scripts/tools/versions.env", import.meta.url));
  const entries = readFileSync(file, "utf8")
    .split("\n")
    .map((line) => /^([A-Z_]+)=(\S+)/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!.replace(/^["']|["']$/g, "")] as const);
  return Object.fromEntries(entries);
}

const versions = readVersions();

/** The nats-server release tests and the local stack run. */
export const NATS_SERVER_VERSION = versions.NATS_SERVER_VERSION ?? "v2.14.9";
/** The Jaeger module tag the trace tests run (Jaeger 2.x is published as v1.x). */
export const JAEGER_VERSION = versions.JAEGER_VERSION ?? "1.76.0";

/** Where scripts/tools builds pinned tools, once per version. */
export function toolsDir(env = process.env): string {
  return env.GAVEL_TOOLS ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "gavel", "tools");
}

/** NATS_SERVER_BIN, else the pinned nats-server from the tools folder, else the PATH's. */
export function natsServerBinary(env = process.env): string {
  const cached = join(toolsDir(env), `nats-server-${NATS_SERVER_VERSION}`, "nats-server");
  return env.NATS_SERVER_BIN ?? (existsSync(cached) ? cached : "nats-server");
}

/**
 * The pinned Jaeger that `npm test` builds before any test runs (scripts/tools/jaeger.sh:
 * minutes on a cold machine, so never inside a test's timeout). Throws, saying what to
 * run, when it is not built.
 */
export function jaegerBinary(env = process.env): string {
  const bin = join(toolsDir(env), `jaeger-${JAEGER_VERSION}`, "jaeger");
  if (!existsSync(bin)) {
    throw new Error(
      `Jaeger ${JAEGER_VERSION} is not built: run scripts/tools/jaeger.sh (npm test runs it first)`,
    );
  }
  return bin;
}
