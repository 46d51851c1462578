import { context, type Context } from "@opentelemetry/api";
import type { Logger } from "@gavel/logging";
import { eventRun, type ChannelEvent } from "./channels.ts";
import type { Listener } from "./feed-hub.ts";

/**
 * Listeners handed an event per turn of the event loop: a slice of a larger fan-out.
 * 500 held a replica's loop p99 to 8–50 ms in bursts to 12,500 viewers on a contended
 * box, at no CPU cost: docs/architecture.md#writing-one-event-to-thousands-of-sockets
 */
export const SLICE_SIZE = 500;

/**
 * The most events, and frame bytes, one run may join: under the smallest send buffer a
 * connection may have (GAVEL_PUSH_SEND_BUFFER_BYTES), so a run alone never overflows one.
 */
export const MAX_RUN_EVENTS = 64;
export const MAX_RUN_BYTES = 16_384;

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
 * burst leaves room for everything else. Events that waited behind a fan-out leave as one
 * run (eventRun). The listener set is read live: one that leaves gets nothing more.
 * Why: docs/architecture.md#writing-one-event-to-thousands-of-sockets
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
      if (!fanOut.rest) {
        fanOut = this.#joinWaiting();
        fanOut.rest = this.#listeners.values();
      }
      budget -= context.with(fanOut.context, this.#slice, this, fanOut, budget);
      if (!fanOut.complete) break;
      this.#queue.shift();
      fanOut.done(fanOut.receivers);
      fanOut = this.#queue[0];
    }
    if (this.#queue.length > 0) setImmediate(this.#handOut);
  };

  /** The first fan-out, joined with those waiting behind it into one run while they fit. */
  #joinWaiting(): FanOut {
    const queue = this.#queue;
    let count = 0;
    let bytes = 0;
    for (const { event } of queue) {
      bytes += event.frame.length;
      if (count === MAX_RUN_EVENTS || (count > 0 && bytes > MAX_RUN_BYTES)) break;
      count++;
    }
    if (count === 1) return queue[0]!;
    const joined = queue.splice(0, count);
    const run: FanOut = {
      event: eventRun(joined.map((fanOut) => fanOut.event)),
      context: joined[0]!.context,
      done: (receivers) => {
        for (const fanOut of joined) fanOut.done(receivers);
      },
      receivers: joined[0]!.receivers,
      rest: undefined,
      complete: false,
    };
    queue.unshift(run);
    return run;
  }

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
