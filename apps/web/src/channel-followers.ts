import type { PageSpan, PageTracing } from "./page-tracing.ts";
import type { EventFrame, Send, ServerMessage } from "./push-messages.ts";

interface Follower {
  onEvent: (frame: EventFrame) => void;
  lastSeq: number | undefined;
  catchingUp: boolean;
  /** The span of the subscribe waiting for its answer. */
  span: PageSpan | undefined;
}

/**
 * The channels the page follows, each with the last sequence it got: after a drop each is
 * subscribed again `after` it, so the gap comes from storage and nothing is missed or seen
 * twice. Each subscribe is a span of the page, its context sent in `traceparent`.
 */
export class ChannelFollowers {
  readonly #followers = new Map<string, Follower>();
  readonly #tracing: PageTracing;
  readonly #send: Send;

  constructor(tracing: PageTracing, send: Send) {
    this.#tracing = tracing;
    this.#send = send;
  }

  /** Follows from now on, or with `fromStart` from the first stored event; answers a stop. */
  add(channel: string, onEvent: (frame: EventFrame) => void, fromStart: boolean): () => boolean {
    const follower: Follower = {
      onEvent,
      lastSeq: fromStart ? 0 : undefined,
      catchingUp: false,
      span: undefined,
    };
    this.#followers.set(channel, follower);
    return () => {
      if (this.#followers.get(channel) !== follower) return false;
      this.#followers.delete(channel);
      follower.span?.end({ attributes: { "gavel.ws.answer": "unfollowed" } });
      return true;
    };
  }

  /** Subscribes to every channel followed, each after the last sequence it got. */
  subscribeAll(): void {
    for (const channel of this.#followers.keys()) this.subscribe(channel);
  }

  subscribe(channel: string): void {
    const follower = this.#followers.get(channel);
    if (!follower) return;
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

  subscribed(message: ServerMessage): void {
    const follower = this.#followers.get(message.channel ?? "");
    if (!follower) return;
    follower.span?.end({ attributes: { "gavel.ws.answer": "subscribed" } });
    follower.span = undefined;
    follower.catchingUp = false;
    follower.lastSeq = Math.max(follower.lastSeq ?? 0, message.after ?? 0);
  }

  /** Ends the span of a subscribe the gateway refused. */
  refused(channel: string, code: string | undefined): void {
    const follower = this.#followers.get(channel);
    follower?.span?.end({ error: code ?? "error" });
    if (follower) follower.span = undefined;
  }

  /** Hands an event to its channel's follower, unless it has had it already. */
  deliver(message: ServerMessage): void {
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
}
