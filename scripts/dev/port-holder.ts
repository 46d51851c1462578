import { createSocket } from "node:dgram";
import { readdirSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";
import { commandOf, readIfPresent } from "./linux-processes.ts";

/** A port npm start is about to listen on, on 127.0.0.1, and what for. */
export interface PortNeed {
  port: number;
  protocol: "tcp" | "udp";
  /** Who listens there, for the message: "the edge", "NATS", ... */
  user: string;
}

/**
 * One line naming the first port of `needs` that cannot be bound and what holds it (and
 * how many more are taken), or undefined when all are free. Checked before anything
 * starts, so a taken port is this line rather than a process dying half-way through.
 */
export async function portsInUse(needs: PortNeed[]): Promise<string | undefined> {
  const taken: PortNeed[] = [];
  for (const need of needs) if (!(await canBind(need))) taken.push(need);
  const [first, ...more] = taken;
  if (!first) return undefined;
  const others = more.length
    ? ` (and ${more.length} more it needs: ${more.map((n) => n.port).join(", ")})`
    : "";
  return `port ${first.port}${first.protocol === "udp" ? "/udp" : ""} (${first.user}) is in use by ${holderOf(first.port, first.protocol)}${others}; free it and start again`;
}

function canBind({ port, protocol }: PortNeed): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === "udp") {
      const socket = createSocket("udp4");
      socket.once("error", () => resolve(false));
      socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
      return;
    }
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}

/**
 * What listens on `port`, from /proc (no root needed for this user's own processes):
 * the socket's inode in /proc/net, then the process with that inode among its open
 * files. Another user's process shows only its user.
 */
export function holderOf(port: number, protocol: "tcp" | "udp"): string {
  const sockets = listeningSockets(port, protocol);
  if (sockets === undefined) return "a process this system does not name (no /proc/net)";
  if (sockets.length === 0)
    return "a process that has just let it go, or another network namespace";
  const inodes = new Set(sockets.map((s) => s.inode));
  for (const pid of pids()) {
    if (holdsSocket(pid, inodes)) return `pid ${pid} (${commandOf(pid) ?? "command unknown"})`;
  }
  const hint = process.getuid?.() === 0 ? "" : ` (sudo ss -lnp 'sport = :${port}' names it)`;
  return `a process of ${userName(sockets[0]!.uid)} that is not visible from here${hint}`;
}

interface Socket {
  inode: string;
  uid: number;
}

/** The sockets bound to local `port` that listen (TCP) or receive (UDP), any address. */
function listeningSockets(port: number, protocol: "tcp" | "udp"): Socket[] | undefined {
  const listening = protocol === "tcp" ? "0A" : "07"; // TCP_LISTEN; UDP's unconnected state
  const tables = [`/proc/net/${protocol}`, `/proc/net/${protocol}6`].map(readIfPresent);
  if (tables.every((t) => t === undefined)) return undefined;
  const found: Socket[] = [];
  for (const table of tables) {
    for (const line of (table ?? "").split("\n").slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== listening) continue;
      if (parseInt(f[1]!.split(":")[1]!, 16) === port)
        found.push({ inode: f[9]!, uid: Number(f[7]) });
    }
  }
  return found;
}

function pids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function holdsSocket(pid: number, inodes: Set<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false; // gone, or another user's
  }
  return fds.some((fd) => {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      return target.startsWith("socket:[") && inodes.has(target.slice(8, -1));
    } catch {
      return false;
    }
  });
}

function userName(uid: number): string {
  const entry = (readIfPresent("/etc/passwd") ?? "")
    .split("\n")
    .find((line) => line.split(":")[2] === String(uid));
  return entry ? `user ${entry.split(":")[0]}` : `uid ${uid}`;
}
