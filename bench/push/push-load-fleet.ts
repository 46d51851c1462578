/**
 * The bench's clients, spread over several load-generator processes (push-load-client.ts)
 * so that thousands of sockets are not one event loop's work. The parent only orders
 * them about and adds up what they report.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ClientKind, ClientReport, ParentMessage } from "./push-load-client.ts";
import type { ClientImplementation } from "../shared/text-socket.ts";

export interface FleetMark {
  delivered: number;
  closed: number;
  samples: number[];
}

const generatorsRunning = new Set<ChildProcess>();
process.once("exit", () => generatorsRunning.forEach((child) => child.kill("SIGKILL")));

export class LoadFleet {
  readonly #children: ChildProcess[];
  /** The generator processes. */
  get pids(): number[] {
    return this.#children.map((c) => c.pid!);
  }

  /** Clients that followed their lot when the fleet connected, by server and by lot. */
  readonly openByServer: number[];
  readonly openByLot: number[];
  readonly failed: number;
  get open(): number {
    return this.openByServer.reduce((a, b) => a + b, 0);
  }

  private constructor(
    children: ChildProcess[],
    open: { openByServer: number[]; openByLot: number[] },
    failed: number,
  ) {
    this.#children = children;
    this.openByServer = open.openByServer;
    this.openByLot = open.openByLot;
    this.failed = failed;
  }

  /**
   * Opens `clients` clients of the kind, round-robin over the servers' URLs and on each
   * over the lots, across `processes` generators, and resolves once each has followed
   * its lot (or failed to).
   */
  static async connect(options: {
    kind: ClientKind;
    urls: string[];
    lotIds: string[];
    clients: number;
    processes: number;
    sampleEvery: number;
    localAddresses: string[];
    implementation: ClientImplementation;
  }): Promise<LoadFleet> {
    const script = fileURLToPath(new URL("push-load-client.ts", import.meta.url));
    const children = Array.from({ length: options.processes }, () => {
      const child = fork(script, [], {
        execArgv: [],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      generatorsRunning.add(child);
      child.once("exit", () => generatorsRunning.delete(child));
      return child;
    });
    const share = Math.ceil(options.clients / options.processes);
    const reports = await Promise.all(
      children.map((child, i) => {
        const offset = i * share;
        const order: ParentMessage = {
          type: "connect",
          kind: options.kind,
          urls: options.urls,
          lotIds: options.lotIds,
          offset,
          count: Math.max(0, Math.min(share, options.clients - offset)),
          sampleEvery: options.sampleEvery,
          localAddresses: options.localAddresses,
          concurrency: 64,
          implementation: options.implementation,
        };
        return request(child, order, "connected");
      }),
    );
    const total = (counts: (r: (typeof reports)[number]) => number[], length: number) =>
      Array.from({ length }, (_, i) => reports.reduce((n, r) => n + counts(r)[i]!, 0));
    const open = {
      openByServer: total((r) => r.openByServer, options.urls.length),
      openByLot: total((r) => r.openByLot, options.lotIds.length),
    };
    const failed = reports.reduce((n, r) => n + r.failed, 0);
    const firstError = reports.find((r) => r.firstError)?.firstError;
    if (failed > 0)
      process.stderr.write(`  ${failed} clients could not connect; first error: ${firstError}\n`);
    return new LoadFleet(children, open, failed);
  }

  /** Deliveries so far, and the latency samples since the previous mark. */
  async mark(): Promise<FleetMark> {
    const marks = await Promise.all(
      this.#children.map((c) => request(c, { type: "mark" }, "mark")),
    );
    return {
      delivered: marks.reduce((n, m) => n + m.delivered, 0),
      closed: marks.reduce((n, m) => n + m.closed, 0),
      samples: marks.flatMap((m) => m.samples),
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#children.map(async (child) => {
        if (child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.send({ type: "close" } satisfies ParentMessage);
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

/** Sends an order and waits for the generator's report of the given type. */
function request<T extends ClientReport["type"]>(
  child: ChildProcess,
  message: ParentMessage,
  type: T,
): Promise<Extract<ClientReport, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (report: ClientReport) => {
      if (report.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(report as Extract<ClientReport, { type: T }>);
    };
    const onExit = (code: number | null) => {
      child.off("message", onMessage);
      reject(new Error(`a load generator exited with ${code}`));
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.send(message);
  });
}
