import type { Channel, ChannelEvent } from "./channels.ts";
import type { FeedHub, Listener, Transport } from "./feed-hub.ts";

/** Live events held while a subscription replays its gap; more means the client lags. */
const MAX_HELD_WHILE_REPLAYING = 10_000;

/** Where a subscription's events go: a socket's or a stream's outbox. */
export interface EventSink {
  readonly transport: Transport;
  sendEvent(event: ChannelEvent): void;
  /** The subscription cannot keep up or cannot continue; the connection should end. */
  fail(reason: string, err?: unknown): void;
}

/**
 * One client following one channel from a sequence on: the gap since that sequence from
 * storage, then live, each event exactly once and in order. Live events that arrive while
 * the gap is replayed are held and sent after it; anything at or below the last sequence
 * sent is dropped, which removes the overlap between replay and live.
 */
export class Subscription implements Listener {
  readonly channel: Channel;
  readonly transport: Transport;
  readonly #hub: FeedHub;
  readonly #sink: EventSink;
  #last: number;
  #held: ChannelEvent[] | undefined = [];
  #active = true;

  constructor(hub: FeedHub, channel: Channel, after: number, sink: EventSink) {
    this.#hub = hub;
    this.channel = channel;
    this.#last = after;
    this.#sink = sink;
    this.transport = sink.transport;
  }

  /** The last sequence sent to the client (what it would resume after). */
  get lastSequence(): number {
    return this.#last;
  }

  /**
   * Joins the channel's feed and replays the gap. Resolves with the sequence the client
   * is now live after (`after`): its own, or when it gave none the feed's (the channel's
   * newest event, or in shared mode a later stream sequence with none of the channel's
   * in between); and how many stored events it replayed to the client (`replayed`).
   */
  async start(resume: boolean): Promise<{ after: number; replayed: number }> {
    // Stopped before or while joining: leave again, or the feed keeps a dead listener.
    if (!this.#active) return { after: this.#last, replayed: 0 };
    const liveAfter = await this.#hub.join(this.channel, this);
    if (!this.#active) {
      this.#hub.leave(this.channel, this);
      return { after: this.#last, replayed: 0 };
    }
    if (!resume) this.#last = Math.max(this.#last, liveAfter);
    const after = this.#last;
    let replayed = 0;
    if (this.#last < liveAfter) {
      for await (const event of this.#hub.replay(this.channel, this.#last, liveAfter)) {
        if (!this.#active) return { after, replayed };
        if (this.#deliver(event)) replayed++;
      }
    }
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const event of held) this.#deliver(event);
    return { after, replayed };
  }

  push(event: ChannelEvent): void {
    if (!this.#active) return;
    if (this.#held) {
      if (this.#held.length >= MAX_HELD_WHILE_REPLAYING) {
        this.#sink.fail("too many live events while replaying; resume later");
        return;
      }
      this.#held.push(event);
      return;
    }
    this.#deliver(event);
  }

  stop(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#held = undefined;
    this.#hub.leave(this.channel, this);
  }

  /** Sends an event the client has not had (a run's new events alone); says whether it did. */
  #deliver(event: ChannelEvent): boolean {
    if (!this.#active || event.seq <= this.#last) return false;
    if (event.parts && event.parts[0]!.seq <= this.#last) {
      for (const part of event.parts) this.#deliver(part);
      return true;
    }
    this.#last = event.seq;
    this.#sink.sendEvent(event);
    return true;
  }
}
