import type { Money } from "./money.ts";
import { noTracing, type PageSpan, type PageTracing } from "./page-tracing.ts";

/**
 * The page's one WebSocket to the push gateway (protocol `gavel.v1`, docs/push-protocol.md).
 * It follows channels and remembers the last sequence of each, so after any drop it
 * reconnects (with backoff) and resubscribes `after` that sequence: the gap comes from
 * storage and nothing is missed or seen twice. Bids waiting for an answer are sent again
 * after a reconnect; their bidId makes that safe. A bid and each subscribe are spans of
 * the page, their context sent in the message's `traceparent`.
 */
export type ConnectionState = "connecting" | "live" | "reconnecting";

export interface EventFrame {
  channel: string;
  seq: number;
  event: string;
  traceId?: string;
  data: unknown;
  /** Delivered while catching up after a reconnect, not live. */
  replayed: boolean;
}

export type BidAnswer =
  | {
      ok: true;
      result: {
        bid: unknown;
        minimumNextBid: { currencyCode: string; amountMinor: string } | null;
      };
    }
  | { ok: false; code: string; message: string; detail?: unknown };

interface Follower {
  onEvent: (frame: EventFrame) => void;
  lastSeq: number | undefined;
  catchingUp: boolean;
  /** The span of the subscribe waiting for its answer. */
  span: PageSpan | undefined;
}

interface ServerMessage {
  type: string;
  id?: string;
  channel?: string;
  seq?: number;
  after?: number;
  event?: string;
  traceId?: string;
  data?: unknown;
  messages?: ServerMessage[];
  result?: unknown;
  code?: string;
  message?: string;
  detail?: unknown;
}

const PING_EVERY_MS = 15_000;
const PONG_WITHIN_MS = 5_000;

export class PushSocket {
  readonly #url: string;
  readonly #token: () => string | undefined;
  readonly #followers = new Map<string, Follower>();
  readonly #pendingBids = new Map<
    string,
    { message: string; span: PageSpan; resolve: (a: BidAnswer) => void }
  >();
  readonly #tracing: PageTracing;
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
    this.#tracing = tracing;
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
    const lastSeq = options.fromStart ? 0 : undefined;
    const follower: Follower = { onEvent, lastSeq, catchingUp: false, span: undefined };
    this.#followers.set(channel, follower);
    if (this.#state === "live") this.#subscribe(channel, follower);
    return () => {
      if (this.#followers.get(channel) !== follower) return;
      this.#followers.delete(channel);
      follower.span?.end({ attributes: { "gavel.ws.answer": "unfollowed" } });
      this.#send({ type: "unsubscribe", id: this.#id(), channel });
    };
  }

  /** Places a bid; `traceId` is the trace the page started for it, when tracing is on. */
  bid(lotId: string, bidId: string, amount: Money): Promise<BidAnswer & { traceId?: string }> {
    const id = this.#id();
    const span = this.#tracing.start("bid", {
      "network.protocol.name": "websocket",
      "gavel.lot.id": lotId,
    });
    const traceparent = span.traceparent ? { traceparent: span.traceparent } : {};
    const message = JSON.stringify({ v: 1, type: "bid", id, lotId, bidId, amount, ...traceparent });
    return new Promise((resolve) => {
      this.#pendingBids.set(id, {
        message,
        span,
        resolve: (answer) => resolve(span.traceId ? { ...answer, traceId: span.traceId } : answer),
      });
      if (this.#state === "live") this.#socket?.send(message);
    });
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
        return this.#deliver(message);
      case "subscribed": {
        const follower = this.#followers.get(message.channel ?? "");
        if (!follower) return;
        follower.span?.end({ attributes: { "gavel.ws.answer": "subscribed" } });
        follower.span = undefined;
        follower.catchingUp = false;
        follower.lastSeq = Math.max(follower.lastSeq ?? 0, message.after ?? 0);
        return;
      }
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
    for (const [channel, follower] of this.#followers) this.#subscribe(channel, follower);
    for (const { message } of this.#pendingBids.values()) this.#socket?.send(message);
    this.#startHeartbeat();
  }

  #subscribe(channel: string, follower: Follower): void {
    follower.catchingUp = follower.lastSeq !== undefined;
    const after = follower.lastSeq === undefined ? {} : { after: follower.lastSeq };
    follower.span?.end({ error: "not answered before the next subscribe" });
    follower.span = this.#tracing.start("subscribe", {
      "network.protocol.name": "websocket",
      "gavel.channel": channel,
      "gavel.push.resumed": follower.lastSeq !== undefined,
    });
    const traceparent = follower.span.traceparent;
    this.#send({
      type: "subscribe",
      id: `sub:${channel}`,
      channel,
      ...after,
      ...(traceparent ? { traceparent } : {}),
    });
  }

  #deliver(message: ServerMessage): void {
    const follower = this.#followers.get(message.channel ?? "");
    const seq = message.seq ?? 0;
    if (!follower || (follower.lastSeq !== undefined && seq <= follower.lastSeq)) return;
    follower.lastSeq = seq;
    follower.onEvent({
      channel: message.channel!,
      seq,
      event: message.event ?? "",
      ...(message.traceId ? { traceId: message.traceId } : {}),
      data: message.data,
      replayed: follower.catchingUp,
    });
  }

  #answer(message: ServerMessage): void {
    const id = message.id ?? "";
    if (id.startsWith("sub:") && message.type === "error") {
      const channel = id.slice(4);
      const refused = this.#followers.get(channel);
      refused?.span?.end({ error: message.code ?? "error" });
      if (refused) refused.span = undefined;
      // A replica could not follow the channel just now: try again shortly. Other refusals
      // (no such channel, not yours) would only repeat.
      if (message.code !== "unavailable") return;
      setTimeout(() => {
        const follower = this.#followers.get(channel);
        if (follower && this.#state === "live") this.#subscribe(channel, follower);
      }, 1000);
      return;
    }
    const pending = this.#pendingBids.get(id);
    if (!pending) return;
    this.#pendingBids.delete(id);
    pending.span.end(
      message.type === "ack"
        ? { attributes: { "gavel.ws.answer": "ack" } }
        : {
            attributes: { "gavel.ws.answer": message.code ?? "error" },
            // A refused bid is an answer, not a failure; only the system's own are.
            ...(message.code === "internal" || message.code === "unavailable"
              ? { error: message.message ?? message.code }
              : {}),
          },
    );
    pending.resolve(
      message.type === "ack"
        ? { ok: true, result: message.result as Extract<BidAnswer, { ok: true }>["result"] }
        : {
            ok: false,
            code: message.code ?? "internal",
            message: message.message ?? "",
            detail: message.detail,
          },
    );
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
