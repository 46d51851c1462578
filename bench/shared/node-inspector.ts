/**
 * Looks inside a server process through its inspector, so the bench measures Gavel's push
 * gateway and the servers it is compared with alike, without changing their code: memory
 * after a full GC, or a CPU profile. The inspector is switched on with SIGUSR1 once the
 * process serves (INSPECTABLE in NODE_OPTIONS): an earlier port could be the server's.
 */
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { repoRoot } from "@gavel/testing";

/** NODE_OPTIONS for a process the bench will look into: its inspector on any free port. */
export const INSPECTABLE = "--inspect-port=127.0.0.1:0";

/** The inspector URL a process printed on stderr, if this line is that line. */
export function inspectorUrl(line: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1];
}

/**
 * Switches on the inspector of a process started with INSPECTABLE and resolves with its
 * URL, which `printed` finds in what the process wrote to stderr.
 */
export async function activateInspector(
  pid: number,
  printed: () => string | undefined,
): Promise<string> {
  process.kill(pid, "SIGUSR1");
  const deadline = Date.now() + 5_000;
  for (;;) {
    const url = printed();
    if (url) return url;
    if (Date.now() > deadline) throw new Error(`process ${pid} opened no inspector`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Memory {
  rss: number;
  heapUsed: number;
}

/** Milliseconds. */
export interface EventLoopDelay {
  p50: number;
  p99: number;
  max: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

export class InspectorSession {
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, (message: Record<string, unknown>) => void>();
  #nextId = 0;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      if (typeof message.id === "number") this.#pending.get(message.id)?.(message);
    });
  }

  static async open(url: string): Promise<InspectorSession> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
    await once(ws, "open");
    return new InspectorSession(ws);
  }

  async call<T = Record<string, unknown>>(method: string, params: object = {}): Promise<T> {
    const id = ++this.#nextId;
    const answer = new Promise<Record<string, unknown>>((resolve) =>
      this.#pending.set(id, resolve),
    );
    this.#ws.send(JSON.stringify({ id, method, params }));
    const message = await answer;
    this.#pending.delete(id);
    if (message.error) throw new Error(`${method}: ${JSON.stringify(message.error)}`);
    return message.result as T;
  }

  /** RSS and live heap after full collections, once the process has had time to settle. */
  async memoryAfterGc(): Promise<Memory> {
    for (let i = 0; i < 3; i++) {
      await this.call("HeapProfiler.collectGarbage");
      await new Promise((r) => setTimeout(r, 500));
    }
    const { result } = await this.call<{ result: { value: string } }>("Runtime.evaluate", {
      expression: "JSON.stringify(process.memoryUsage())",
      returnByValue: true,
    });
    return JSON.parse(result.value) as Memory;
  }

  /**
   * The process's event-loop delay since the previous call, in ms (perf_hooks'
   * monitorEventLoopDelay, which the first call switches on: that call's figures are 0).
   * The monitor's timer fires every 10 ms and records the time between firings; the delay
   * is what exceeds the 10 ms.
   */
  async eventLoopDelay(): Promise<EventLoopDelay> {
    const { result } = await this.call<{ result: { value: string } }>("Runtime.evaluate", {
      expression: `(() => {
        const h = (globalThis.__benchLoopDelay ??= process
          .getBuiltinModule("node:perf_hooks")
          .monitorEventLoopDelay({ resolution: 10 }));
        const ms = (ns) => Math.max(0, ns / 1e6 - 10);
        const delay = h.enable()
          ? { p50: 0, p99: 0, max: 0 }
          : { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
        h.reset();
        return JSON.stringify(delay);
      })()`,
      returnByValue: true,
    });
    return JSON.parse(result.value) as EventLoopDelay;
  }

  async startProfile(): Promise<void> {
    await this.call("Profiler.enable");
    await this.call("Profiler.setSamplingInterval", { interval: 500 });
    await this.call("Profiler.start");
  }

  async stopProfile(): Promise<CpuProfile> {
    const { profile } = await this.call<{ profile: CpuProfile }>("Profiler.stop");
    await this.call("Profiler.disable");
    return profile;
  }

  close(): void {
    this.#ws.close();
  }
}

/**
 * The functions that spent the most samples on their own code (self time), grouped by
 * name and place; "(idle)" is the event loop waiting, "(program)" native work outside JS,
 * "(garbage collector)" GC, and a bare native name such as "writev" the time inside that
 * call (for a socket write: the system call, which on loopback includes the kernel's TCP
 * work for the receiving side).
 */
export function topSelfTime(profile: CpuProfile, count: number) {
  return top(profile, count, (frame) => {
    const file = shortFile(frame.url);
    return `${frame.functionName || "(anonymous)"} ${file ? `${file}:${frame.lineNumber + 1}` : ""}`.trim();
  });
}

/**
 * Self time per area: each of the app's own files, each package, each Node module folder
 * (node:internal/streams, ...), and natives by name.
 */
export function selfTimeByArea(profile: CpuProfile, count: number) {
  return top(profile, count, (frame) => {
    const file = shortFile(frame.url);
    if (!file) return frame.functionName;
    if (file.startsWith("node:")) return file.replace(/\/[^/]*$/, "");
    const pkg = /^((?:@[^/]+\/)?[^/]+)\//.exec(file);
    return file.startsWith("apps/") || file.startsWith("libs/") || file.startsWith("bench/")
      ? file
      : (pkg?.[1] ?? file);
  });
}

type CallFrame = ProfileNode["callFrame"];

function top(profile: CpuProfile, count: number, keyOf: (frame: CallFrame) => string) {
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const byKey = new Map<string, number>();
  for (const node of profile.nodes) {
    const key = keyOf(node.callFrame);
    byKey.set(key, (byKey.get(key) ?? 0) + (hits.get(node.id) ?? 0));
  }
  const total = profile.samples.length || 1;
  return [...byKey.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, n]) => ({ where: key, "self %": Math.round((n / total) * 1000) / 10 }));
}

/** A path relative to the repository or to node_modules; node:... as it is. */
function shortFile(url: string): string {
  if (!url) return "";
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const inModules = path.lastIndexOf("/node_modules/");
  if (inModules !== -1) return path.slice(inModules + "/node_modules/".length);
  return path.startsWith(repoRoot) ? path.slice(repoRoot.length) : path;
}
