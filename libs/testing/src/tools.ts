import { homedir } from "node:os";
import { join } from "node:path";

/** The nats-server release tests and the local stack run; scripts/tools/versions.env says the same. */
export const NATS_SERVER_VERSION = "v2.14.9";

/** Where scripts/tools builds pinned tools, once per version. */
export function toolsDir(env = process.env): string {
  return env.GAVEL_TOOLS ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "gavel", "tools");
}
