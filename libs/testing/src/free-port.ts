import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/**
 * Ports for services a test starts are handed out from below the kernel's ephemeral range,
 * where no outgoing connection's local port can take one between the probe and the bind.
 * docs/reliability.md#ports-for-the-processes-a-test-starts
 */
const LOWEST = 20_000;
const ephemeralStart = readEphemeralStart();
const span = Math.max(0, ephemeralStart - LOWEST);

/** Each process walks the range from its own random point, so test workers rarely meet. */
let next = Math.floor(Math.random() * Math.max(1, span));
const handedOut = new Set<number>();

/** A TCP port on 127.0.0.1, free a moment ago, that this process has not handed out before. */
export async function freePort(): Promise<number> {
  if (span < 1_000) return kernelPort();
  for (let tries = 0; tries < span; tries++) {
    const port = LOWEST + (next++ % span);
    if (handedOut.has(port)) continue;
    if (await canBind(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port between ${LOWEST} and ${ephemeralStart}`);
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}

/** Where the ephemeral range does not leave room below it: the kernel's choice, as before. */
function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

function readEphemeralStart(): number {
  try {
    const [start] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/)
      .map(Number);
    return Number.isInteger(start) ? start! : 32_768;
  } catch {
    return 32_768;
  }
}
