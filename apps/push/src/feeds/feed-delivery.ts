import type { JsMsg } from "@nats-io/jetstream";
import { trace } from "@opentelemetry/api";
import type { Logger } from "@gavel/logging";
import { traceDeliver } from "@gavel/telemetry";
import type { Channel } from "./channels.ts";
import { FanOutQueue } from "./fan-out-queue.ts";
import type { Listener } from "./feed-hub.ts";
import { deliveries, fanoutLag } from "../push-metrics.ts";
import type { TraceClaims } from "../tracing/trace-claims.ts";
import { traceIdOf } from "../tracing/traceparent.ts";

/**
 * Hands a channel's live messages to its local listeners in order (FanOutQueue), each event
 * decoded and serialized once for all, in one `deliver` span per event per replica that ends
 * when the last listener has it; lag and deliveries are counted then. Each event's trace
 * becomes the server's: docs/architecture.md#who-may-continue-a-trace
 */
export class ChannelDelivery {
  readonly #channel: Channel;
  readonly #listeners: ReadonlySet<Listener>;
  readonly #claims: TraceClaims;
  readonly #queue: FanOutQueue;

  constructor(
    channel: Channel,
    listeners: ReadonlySet<Listener>,
    claims: TraceClaims,
    logger: Logger,
  ) {
    this.#channel = channel;
    this.#listeners = listeners;
    this.#claims = claims;
    this.#queue = new FanOutQueue(listeners, logger);
  }

  deliver(message: JsMsg): void {
    const channel = this.#channel;
    const destination = { subject: channel.subject, template: channel.template };
    const traceId = traceIdOf(message.headers);
    if (traceId) this.#claims.markServer(traceId);
    const storedAtMs = message.info.timestampNanos / 1e6;
    traceDeliver(destination, message.headers, this.#listeners.size, (done) => {
      const event = channel.decode(message.seq, message.data, traceId);
      const span = trace.getActiveSpan();
      this.#queue.push(event, ({ ws, sse }) => {
        // Counted as pushed: a stream that fails on its write leaves the set meanwhile.
        span?.setAttributes({ "gavel.push.ws_receivers": ws, "gavel.push.sse_receivers": sse });
        const attributes = { "gavel.push.channel_kind": channel.kind };
        fanoutLag.record(Date.now() - storedAtMs, attributes);
        deliveries.add(ws + sse, attributes);
        done();
      });
    });
  }
}
