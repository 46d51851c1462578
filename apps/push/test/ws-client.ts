import { once } from "node:events";
import WebSocket from "ws";

/** A server message, with `batch` frames already flattened into their messages. */
export type Message = Record<string, unknown> & { type: string };

export interface EventMessage {
  type: "event";
  channel: string;
  seq: number;
  event: string;
  data: Record<string, unknown>;
}

/**
 * A protocol client for tests: connects, records every message, and waits for the ones a
 * test expects. Plain `ws`, as a Node client would use it.
 */
export class TestSocket {
  readonly ws: WebSocket;
  readonly messages: Message[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #events = new Map<string, EventMessage[]>();
  #waiters: Array<() => void> = [];
  #nextId = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) =>
      ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as Message;
      const all = message.type === "batch" ? (message.messages as Message[]) : [message];
      for (const m of all) {
        if (m.type !== "event") {
          this.messages.push(m);
          continue;
        }
        const event = m as unknown as EventMessage;
        const list = this.#events.get(event.channel) ?? [];
        list.push(event);
        this.#events.set(event.channel, list);
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async open(
    baseUrl: string,
    options: { token?: string; protocols?: string[]; origin?: string; query?: string } = {},
  ): Promise<TestSocket> {
    const url = `${baseUrl.replace(/^http/, "ws")}/ws${options.query ?? ""}`;
    const ws = new WebSocket(url, options.protocols ?? ["gavel.v1"], {
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.origin ? { origin: options.origin } : {}),
      },
    });
    const socket = new TestSocket(ws);
    await once(ws, "open");
    await socket.waitFor((m) => m.type === "welcome");
    return socket;
  }

  /** Sends a protocol message (v and id added) and returns its id. */
  send(message: Record<string, unknown>): string {
    const id = `r${++this.#nextId}`;
    this.ws.send(JSON.stringify({ v: 1, id, ...message }));
    return id;
  }

  /** Sends and waits for the answer with the same id (ack, subscribed, error, ...). */
  async request(message: Record<string, unknown>, timeoutMs = 10_000): Promise<Message> {
    const id = this.send(message);
    return this.waitFor((m) => m.id === id && m.type !== "event", timeoutMs);
  }

  async subscribe(channel: string, after?: number): Promise<Message> {
    return this.request({ type: "subscribe", channel, ...(after === undefined ? {} : { after }) });
  }

  /** The channel's events received so far (kept apart from the other messages). */
  events(channel: string): EventMessage[] {
    return this.#events.get(channel) ?? [];
  }

  /** Waits for a message other than an event that matches. */
  async waitFor(predicate: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    let found: Message | undefined;
    await this.#until(() => (found = this.messages.find(predicate)) !== undefined, timeoutMs);
    return found!;
  }

  async #until(done: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (done()) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`nothing matched within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until the socket holds `count` events of the channel. */
  async waitForEvents(channel: string, count: number, timeoutMs = 10_000): Promise<EventMessage[]> {
    await this.#until(() => this.events(channel).length >= count, timeoutMs);
    return this.events(channel);
  }

  close(): void {
    this.ws.close();
  }
}
