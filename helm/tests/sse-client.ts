export interface SseEvent {
  id: number;
  event: string;
  data: unknown;
}

export interface SseStream {
  events: SseEvent[];
  /** Resolves with the first event of this type (already received or still to come). */
  next(type: string, timeoutMs: number): Promise<SseEvent>;
  close(): void;
}

/** Follows a Server-Sent Events stream in the background, keeping every event. */
export async function openSse(url: string): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { accept: "text/event-stream" },
    signal: controller.signal,
  });
  if (!res.ok || !res.body) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const fields = new Map<string, string>();
          for (const line of buffer.slice(0, end).split("\n")) {
            const colon = line.indexOf(":");
            if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
          }
          buffer = buffer.slice(end + 2);
          const event = fields.get("event");
          if (event !== undefined) {
            events.push({
              id: Number(fields.get("id")),
              event,
              data: JSON.parse(fields.get("data") ?? "null"),
            });
            for (const wake of waiters) wake();
          }
        }
      }
    } catch {
      // closed by close(), or by the server
    }
  })();
  return {
    events,
    next(type, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find((e) => e.event === type);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = events.map((e) => e.event).join(", ") || "nothing";
          reject(new Error(`no ${type} on ${url} within ${timeoutMs} ms (saw ${seen})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}
