import { ChannelFollowers } from "./channel-followers.ts";
import type { Money } from "./money.ts";
import { noTracing, type PageTracing } from "./page-tracing.ts";
import { PendingBids, type TracedBidAnswer } from "./pending-bids.ts";
import type { ConnectionState, EventFrame, ServerMessage } from "./push-messages.ts";

const PING_EVERY_MS = 15_000;
const PONG_WITHIN_MS = 5_000;

/**
 * The page's one WebSocket to the push gateway (protocol `gavel.v1`, docs/push-protocol.md):
 * after any drop it reconnects with backoff, follows its channels again after the last
 * sequence of each and resends the bids still waiting for an answer.
 * Why: docs/architecture.md#the-web-page-appsweb-and-demo-traffic-appsloadgen
 */
export class PushSocket {
  readonly #url: string;
  readonly #token: () => string | undefined;
  readonly #channels: ChannelFollowers;
  readonly #bids: PendingBids;
  readonly #stateListeners = new Set<(state: ConnectionState) => void>();
  #socket: WebSocket | undefined;
  #state: ConnectionState = "connecting";
  #attempt = 0;
  #nextId = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(url: string, token: () => string | undefined, tracing: PageTracing = noTracing) {
    this.#url = url;
    this.#token = token;
    this.#channels = new ChannelFollowers(tracing, (message) => this.#send(message));
    this.#bids = new PendingBids(tracing);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    listener(this.#state);
    return () => this.#stateListeners.delete(listener);
  }

  start(): void {
    this.#open();
  }

  /** Reconnects now, e.g. with another user's token after sign-in; positions are kept. */
  restart(): void {
    this.#socket?.close(1000, "restarting");
  }

  /**
   * Follows a channel from now on, or with `fromStart` from its first stored event (a
   * closed lot's history); returns what stops following it.
   */
  follow(
    channel: string,
    onEvent: (frame: EventFrame) => void,
    options: { fromStart?: boolean } = {},
  ): () => void {
    const stop = this.#channels.add(channel, onEvent, options.fromStart ?? false);
    if (this.#state === "live") this.#channels.subscribe(channel);
    return () => {
      if (stop()) this.#send({ type: "unsubscribe", id: this.#id(), channel });
    };
  }

  /** Places a bid; `traceId` is the trace the page started for it, when tracing is on. */
  bid(lotId: string, bidId: string, amount: Money): Promise<TracedBidAnswer> {
    const { message, answer } = this.#bids.add(this.#id(), lotId, bidId, amount);
    if (this.#state === "live") this.#socket?.send(message);
    return answer;
  }

  #open(): void {
    const token = this.#token();
    const protocols = token ? ["gavel.v1", `bearer.${token}`] : ["gavel.v1"];
    const socket = new WebSocket(this.#url, protocols);
    this.#socket = socket;
    socket.onmessage = (e) => this.#receive(JSON.parse(String(e.data)) as ServerMessage);
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      clearInterval(this.#heartbeat);
      this.#setState("reconnecting");
      // 0.25 s, 0.5 s, 1 s ... at most 5 s, with jitter so replicas are not stampeded.
      const delay = Math.min(5000, 250 * 2 ** this.#attempt++) * (0.75 + Math.random() / 2);
      this.#retry = setTimeout(() => this.#open(), delay);
    };
  }

  #receive(message: ServerMessage): void {
    switch (message.type) {
      case "welcome":
        return this.#welcomed();
      case "batch":
        return message.messages?.forEach((m) => this.#receive(m));
      case "event":
        return this.#channels.deliver(message);
      case "subscribed":
        return this.#channels.subscribed(message);
      case "ack":
      case "error":
        return this.#answer(message);
      case "pong":
        this.#socket?.dispatchEvent(new Event("pong"));
        return;
    }
  }

  #welcomed(): void {
    this.#attempt = 0;
    this.#setState("live");
    this.#channels.subscribeAll();
    for (const message of this.#bids.messages()) this.#socket?.send(message);
    this.#startHeartbeat();
  }

  #answer(message: ServerMessage): void {
    const id = message.id ?? "";
    if (!(id.startsWith("sub:") && message.type === "error")) return this.#bids.settle(message);
    const channel = id.slice(4);
    this.#channels.refused(channel, message.code);
    // A replica could not follow the channel just now: try again shortly. Other refusals
    // (no such channel, not yours) would only repeat.
    if (message.code !== "unavailable") return;
    setTimeout(() => {
      if (this.#state === "live") this.#channels.subscribe(channel);
    }, 1000);
  }

  /** A connection can die silently (a sleeping laptop, a NAT): a missed pong ends it. */
  #startHeartbeat(): void {
    clearInterval(this.#heartbeat);
    const socket = this.#socket;
    this.#heartbeat = setInterval(() => {
      if (!socket || socket.readyState !== WebSocket.OPEN) return;
      const timeout = setTimeout(() => socket.close(4000, "no pong"), PONG_WITHIN_MS);
      socket.addEventListener("pong", () => clearTimeout(timeout), { once: true });
      this.#send({ type: "ping", id: this.#id() });
    }, PING_EVERY_MS);
  }

  #send(message: Record<string, unknown>): void {
    if (this.#socket?.readyState === WebSocket.OPEN) {
      this.#socket.send(JSON.stringify({ v: 1, ...message }));
    }
  }

  #setState(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of this.#stateListeners) listener(state);
  }

  #id(): string {
    return String(++this.#nextId);
  }

  stop(): void {
    clearTimeout(this.#retry);
    clearInterval(this.#heartbeat);
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000);
  }
}
