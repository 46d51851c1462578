/**
 * A Node service's JavaScript heap after a full garbage collection, read over the V8
 * inspector of a process started with `inspect: true` (startService). RSS alone cannot
 * tell a leak from garbage V8 has not collected yet, or from pages it keeps after a
 * burst; the live heap after a forced collection can: what is still reachable is what a
 * leak would hold.
 */
export interface HeapUsage {
  /** Bytes of live JavaScript objects after the collection. */
  usedBytes: number;
  /** Bytes of ArrayBuffer and Buffer backing stores, which live outside the JS heap. */
  backingStoreBytes: number;
}

export async function heapAfterGc(inspectUrl: string): Promise<HeapUsage> {
  const targets = (await (await fetch(`${inspectUrl}/json/list`)).json()) as Array<{
    webSocketDebuggerUrl: string;
  }>;
  const target = targets[0];
  if (!target) throw new Error(`no inspector target at ${inspectUrl}`);
  const session = await InspectorSession.open(target.webSocketDebuggerUrl);
  try {
    await session.call("HeapProfiler.collectGarbage");
    const usage = (await session.call("Runtime.getHeapUsage")) as {
      usedSize: number;
      backingStorageSize?: number;
    };
    return { usedBytes: usage.usedSize, backingStoreBytes: usage.backingStorageSize ?? 0 };
  } finally {
    session.close();
  }
}

/** The Chrome DevTools protocol over the runtime's own WebSocket client: calls and answers. */
class InspectorSession {
  #next = 0;
  readonly #pending = new Map<number, (answer: { result?: unknown; error?: unknown }) => void>();

  readonly #socket: WebSocket;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener("message", (event) => {
      const answer = JSON.parse(String(event.data)) as {
        id?: number;
        result?: unknown;
        error?: unknown;
      };
      if (answer.id === undefined) return; // an event, not an answer
      this.#pending.get(answer.id)?.(answer);
      this.#pending.delete(answer.id);
    });
  }

  static open(url: string): Promise<InspectorSession> {
    const socket = new WebSocket(url);
    return new Promise((resolve, reject) => {
      socket.addEventListener("open", () => resolve(new InspectorSession(socket)), { once: true });
      socket.addEventListener("error", () => reject(new Error(`inspector at ${url} refused`)), {
        once: true,
      });
    });
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`inspector: no answer to ${method}`)),
        30_000,
      );
      this.#pending.set(id, (answer) => {
        clearTimeout(timer);
        if (answer.error)
          reject(new Error(`inspector: ${method}: ${JSON.stringify(answer.error)}`));
        else resolve(answer.result);
      });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.#socket.close();
  }
}
