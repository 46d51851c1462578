import { context, type Context } from "@opentelemetry/api";
import type { Logger } from "@gavel/logging";
import type { ChannelEvent } from "./channels.ts";
import type { Listener } from "./feed-hub.ts";

/**
 * Listeners handed an event per turn of the event loop: a slice of a larger fan-out.
 * 500 held a replica's loop p99 to 8–50 ms in bursts to 12,500 viewers on a contended
 * box, at no CPU cost: docs/architecture.md#writing-one-event-to-thousands-of-sockets
 */
export const SLICE_SIZE = 500;

/** Whom an event was handed to, by transport. */
export interface Receivers {
  ws: number;
  sse: number;
}

/** One event's hand-off, resumed slice by slice. */
interface FanOut {
  readonly event: ChannelEvent;
  /** The context it was queued in (its deliver span), active again in each slice. */
  readonly context: Context;
  readonly done: (receivers: Receivers) => void;
  readonly receivers: Receivers;
  /** The listeners still to go, read live from the set once the fan-out starts. */
  rest: Iterator<Listener> | undefined;
  complete: boolean;
}

/**
 * One channel's fan-out on a replica: each event to every listener, one event after the
 * other (never out of order), at most SLICE_SIZE listeners per turn of the event loop so a
 * burst leaves room for everything else. The listener set is read live: one that leaves gets
 * nothing more. Why: docs/architecture.md#writing-one-event-to-thousands-of-sockets
 */
export class FanOutQueue {
  readonly #listeners: ReadonlySet<Listener>;
  readonly #logger: Logger;
  /** The fan-out under way first, then those waiting behind it. */
  readonly #queue: FanOut[] = [];

  constructor(listeners: ReadonlySet<Listener>, logger: Logger) {
    this.#listeners = listeners;
    this.#logger = logger;
  }

  /**
   * Hands `event` to every listener, after the events pushed before it; `done` runs once
   * the last one has it: before push returns when nothing was queued and there are fewer
   * listeners than a slice.
   */
  push(event: ChannelEvent, done: (receivers: Receivers) => void): void {
    const receivers = { ws: 0, sse: 0 };
    this.#queue.push({
      event,
      context: context.active(),
      done,
      receivers,
      rest: undefined,
      complete: false,
    });
    if (this.#queue.length === 1) this.#handOut();
  }

  /** One slice, oldest fan-out first; schedules the next while any is left. */
  readonly #handOut = (): void => {
    let budget = SLICE_SIZE;
    let fanOut = this.#queue[0];
    while (fanOut && budget > 0) {
      fanOut.rest ??= this.#listeners.values();
      budget -= context.with(fanOut.context, this.#slice, this, fanOut, budget);
      if (!fanOut.complete) break;
      this.#queue.shift();
      fanOut.done(fanOut.receivers);
      fanOut = this.#queue[0];
    }
    if (this.#queue.length > 0) setImmediate(this.#handOut);
  };

  /** Hands the event to up to `budget` more listeners; returns how many it did. */
  #slice(fanOut: FanOut, budget: number): number {
    const { event, receivers } = fanOut;
    for (let handed = 0; handed < budget; handed++) {
      const next = fanOut.rest!.next();
      if (next.done) {
        fanOut.complete = true;
        return handed;
      }
      const listener = next.value;
      try {
        listener.push(event);
      } catch (err) {
        // One listener that throws must not cost the others the event.
        const { channel, seq } = event;
        this.#logger.error({ err, channel, seq }, "handing an event to a listener failed");
        continue;
      }
      if (listener.transport === "sse") receivers.sse++;
      else receivers.ws++;
    }
    return budget;
  }
}
