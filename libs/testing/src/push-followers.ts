import { EventSource } from "eventsource";
import WebSocket from "ws";
import { Tally } from "./tally.ts";

/** A client following one channel from its start; what it received, in order. */
export interface Follower {
  readonly kind: "WebSocket" | "SSE";
  readonly channel: string;
  /** Sequences of the events received, over every connection, in arrival order. */
  readonly seqs: number[];
  /** How each connection that ended under it ended (close code, or an error). */
  readonly drops: Tally;
  /** Opens the first connection; resolves once it is following. */
  start(): Promise<void>;
  stop(): void;
}

const RECONNECT_MS = 250;
const LOT_EVENT_TYPES = ["opened", "bid_accepted", "closed", "cancelled"];

/**
 * A WebSocket client as an app writes it (docs/push-protocol.md): subscribes from the
 * channel's start, and on any close reconnects (through the balancer, to whichever
 * replica takes it) and resubscribes after the last sequence it saw.
 */
export class WsFollower implements Follower {
  readonly kind = "WebSocket";
  readonly seqs: number[] = [];
  readonly drops = new Tally();
  readonly channel: string;
  readonly #url: string;
  readonly #token: string | undefined;
  #socket: WebSocket | undefined;
  #stopped = false;

  constructor(baseUrl: string, channel: string, token?: string) {
    this.#url = `${baseUrl.replace(/^http/, "ws")}/ws`;
    this.channel = channel;
    this.#token = token;
  }

  /** Opens the first connection; resolves once it is subscribed. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => this.#connect(resolve, reject));
  }

  stop(): void {
    this.#stopped = true;
    this.#socket?.close();
  }

  #connect(subscribed?: () => void, failed?: (err: Error) => void): void {
    const socket = new WebSocket(this.#url, ["gavel.v1"], {
      headers: this.#token ? { authorization: `Bearer ${this.#token}` } : {},
    });
    this.#socket = socket;
    const subscribe = () =>
      socket.send(
        JSON.stringify({
          v: 1,
          type: "subscribe",
          id: "s",
          channel: this.channel,
          after: this.seqs.at(-1) ?? 0,
        }),
      );
    let isSubscribed = false;
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString()) as Message;
      for (const m of message.type === "batch" ? message.messages! : [message]) {
        if (m.type === "welcome") subscribe();
        else if (m.type === "subscribed") {
          isSubscribed = true;
          subscribed?.();
        } else if (m.type === "event" && m.channel === this.channel) this.seqs.push(m.seq!);
        else if (m.type === "error" && m.id === "s") {
          // unavailable (NATS down for a moment): ask again.
          this.drops.add(`subscribe ${m.code}`);
          setTimeout(() => socket.readyState === WebSocket.OPEN && subscribe(), RECONNECT_MS);
        }
      }
    });
    socket.on("error", () => {}); // the close that follows is what counts
    socket.once("close", (code) => {
      if (failed && !isSubscribed) {
        this.#stopped = true;
        failed(new Error(`closed with ${code} before subscribing`));
      }
      if (this.#stopped) return;
      this.drops.add(`close ${code}`);
      setTimeout(() => this.#connect(), RECONNECT_MS);
    });
  }
}

interface Message {
  type: string;
  id?: string;
  code?: string;
  channel?: string;
  seq?: number;
  messages?: Message[];
}

/**
 * A standard EventSource on a lot's stream: it reconnects by itself with Last-Event-ID
 * when a connection drops. When a replica refuses a reconnect outright (a 503 while it
 * drains), EventSource gives up, as the standard says; the app then opens a new one
 * after the last event it saw, as this does.
 */
export class SseFollower implements Follower {
  readonly kind = "SSE";
  readonly seqs: number[] = [];
  readonly drops = new Tally();
  readonly channel: string;
  readonly #baseUrl: string;
  readonly #lotId: string;
  #source: EventSource | undefined;
  #stopped = false;

  constructor(baseUrl: string, lotId: string) {
    this.#baseUrl = baseUrl;
    this.#lotId = lotId;
    this.channel = `lot:${lotId}`;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const source = this.#open();
      source.addEventListener("open", () => resolve(), { once: true });
      source.addEventListener("error", () => reject(new Error("the first SSE connection failed")), {
        once: true,
      });
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#source?.close();
  }

  #open(): EventSource {
    const after = this.seqs.at(-1) ?? 0;
    const source = new EventSource(`${this.#baseUrl}/sse/lots/${this.#lotId}?after=${after}`);
    this.#source = source;
    for (const type of LOT_EVENT_TYPES)
      source.addEventListener(type, (e) => this.seqs.push(Number(e.lastEventId)));
    source.addEventListener("error", (e) => {
      if (this.#stopped) return;
      this.drops.add(e.code ? `error ${e.code}` : "dropped");
      if (source.readyState !== EventSource.CLOSED) return; // it reconnects by itself
      setTimeout(() => !this.#stopped && this.#open(), RECONNECT_MS);
    });
    return source;
  }
}
