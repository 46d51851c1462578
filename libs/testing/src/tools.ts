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

/** The nats-server release tests and the local stack run. */
export const NATS_SERVER_VERSION = readVersions().NATS_SERVER_VERSION ?? "v2.14.9";

/** Where scripts/tools builds pinned tools, once per version. */
export function toolsDir(env = process.env): string {
  return env.GAVEL_TOOLS ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "gavel", "tools");
}

/** NATS_SERVER_BIN, else the pinned nats-server from the tools folder, else the PATH's. */
export function natsServerBinary(env = process.env): string {
  const cached = join(toolsDir(env), `nats-server-${NATS_SERVER_VERSION}`, "nats-server");
  return env.NATS_SERVER_BIN ?? (existsSync(cached) ? cached : "nats-server");
}
