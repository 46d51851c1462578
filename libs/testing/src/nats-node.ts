import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { untilHttpOk } from "./until-http-ok.ts";

/** A nats-server a test can kill and start again, as it was. */
export interface NatsNode {
  /** server_name, "n1".."n3" (or "n1" for a single server) */
  readonly name: string;
  /** nats://127.0.0.1:<client port>, the same across restarts */
  readonly url: string;
  /** the current process's pid, -1 while down */
  readonly pid: number;
  readonly running: boolean;
  /** Sends the signal (default SIGKILL) and waits for the process to exit. Store dir kept. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same ports and store dir; resolves once its /healthz (monitor port) answers 200, i.e. JetStream is current. */
  restart(): Promise<void>;
}

const MAX_LOG_LINES = 5_000;
export const START_TIMEOUT_MS = 30_000;

/** Every node still running, killed with the test process so none outlives its run. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export interface NodePorts {
  client: number;
  monitor: number;
  route: number;
}

/** One nats-server that keeps its name, ports and store dir across kills and restarts. */
export class NatsProcess implements NatsNode {
  readonly name: string;
  readonly url: string;
  private readonly bin: string;
  private readonly configFile: string;
  private readonly monitorPort: number;
  private readonly log: string[];
  private readonly env: Record<string, string> | undefined;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    name: string,
    bin: string,
    configFile: string,
    ports: NodePorts,
    log: string[],
    env?: Record<string, string>,
  ) {
    this.name = name;
    this.env = env;
    this.url = `nats://127.0.0.1:${ports.client}`;
    this.bin = bin;
    this.configFile = configFile;
    this.monitorPort = ports.monitor;
    this.log = log;
  }

  get pid(): number {
    return this.running ? (this.child?.pid ?? -1) : -1;
  }

  get running(): boolean {
    return this.child !== undefined && running.has(this.child);
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.running) this.child?.kill(signal);
    await this.exited;
  }

  async restart(): Promise<void> {
    if (this.running) throw new Error(`NATS node ${this.name} is already running`);
    const child = spawn(this.bin, ["-c", this.configFile], {
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child = child;
    running.add(child);
    this.exited = new Promise((resolve) => {
      const gone = (): void => {
        running.delete(child);
        resolve();
      };
      child.once("exit", gone);
      child.once("error", (err) => {
        this.record(`cannot run ${this.bin}: ${err.message} (set NATS_SERVER_BIN)`);
        gone();
      });
    });
    if (child.stderr) createInterface({ input: child.stderr }).on("line", (l) => this.record(l));
    await this.untilHealthy();
  }

  private record(line: string): void {
    this.log.push(`[${this.name}] ${line}`);
    if (this.log.length > MAX_LOG_LINES) this.log.splice(0, this.log.length - MAX_LOG_LINES);
  }

  private async untilHealthy(): Promise<void> {
    const healthz = `http://127.0.0.1:${this.monitorPort}/healthz`;
    const answer = await untilHttpOk(healthz, {
      timeoutMs: START_TIMEOUT_MS,
      gone: () => !this.running,
    });
    if (answer === "ok") return;
    if (answer === "gone") throw failure(`NATS node ${this.name} exited while starting`, this.log);
    await this.kill();
    throw failure(`NATS node ${this.name}: ${healthz} never answered 200`, this.log);
  }
}

/** An error naming what failed, with the nodes' last lines. */
export function failure(what: string, log: string[]): Error {
  return new Error(`${what}; last NATS lines:\n${log.slice(-30).join("\n")}`);
}
