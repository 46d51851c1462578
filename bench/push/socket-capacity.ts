/**
 * Whether this machine can hold the sockets a push bench asks for (Linux): each socket
 * is a file descriptor in a process under its open-file limit, and each client end takes
 * an ephemeral port. Checked before anything starts, so that a large run does not fail
 * part-way with EMFILE or EADDRNOTAVAIL.
 */
import { readFileSync } from "node:fs";

export interface SocketPlan {
  clients: number;
  /** Server processes, the clients spread evenly over them. */
  servers: number;
  /** Load-generator processes, likewise. */
  generators: number;
  /** Source addresses the clients bind to; 0 when the kernel picks (127.0.0.1). */
  sourceAddresses: number;
}

/** Descriptors a process needs besides its sockets to clients (NATS, inspector, files). */
const SPARE_DESCRIPTORS = 200;

/** What stands in the way of the plan, in words; empty when nothing does. */
export function socketCapacityProblems(plan: SocketPlan): string[] {
  const files = openFileLimit();
  const ports = ephemeralPorts();
  const perServer = Math.ceil(plan.clients / plan.servers);
  const perGenerator = Math.ceil(plan.clients / plan.generators);
  const problems: string[] = [];
  if (perServer + SPARE_DESCRIPTORS > files)
    problems.push(
      `${perServer} sockets per server, over the open-file limit ${files}: more --servers`,
    );
  if (perGenerator + SPARE_DESCRIPTORS > files)
    problems.push(
      `${perGenerator} sockets per generator, over the open-file limit ${files}: more --generators`,
    );
  // A client that binds its address takes a port of that address for any destination;
  // one that does not can reuse a port towards another server.
  const perPortRange = plan.sourceAddresses
    ? Math.ceil(plan.clients / plan.sourceAddresses)
    : perServer;
  const per = plan.sourceAddresses ? "source address" : "server from 127.0.0.1";
  if (perPortRange > ports)
    problems.push(
      `${perPortRange} client ends per ${per}, over the ${ports} ephemeral ports: ` +
        "more --source-addresses",
    );
  return problems;
}

/** This process's soft limit on open files (children inherit it). */
export function openFileLimit(): number {
  const line = /^Max open files\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
  return line?.[1] === "unlimited" ? Infinity : Number(line?.[1] ?? Infinity);
}

/** How many ports the kernel hands out as the local end of outgoing connections. */
export function ephemeralPorts(): number {
  const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
    .trim()
    .split(/\s+/)
    .map(Number);
  return high! - low! + 1;
}

/** The most source addresses: 127.0.0.2 to 127.0.0.251. */
export const MAX_SOURCE_ADDRESSES = 250;

/** The addresses clients bind to: 127.0.0.2, 127.0.0.3, ... (all of 127/8 is loopback). */
export function sourceAddresses(count: number): string[] {
  if (count > MAX_SOURCE_ADDRESSES)
    throw new Error(`at most ${MAX_SOURCE_ADDRESSES} source addresses`);
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}
