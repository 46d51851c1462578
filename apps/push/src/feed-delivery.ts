import type { JsMsg } from "@nats-io/jetstream";
import { traceDeliver } from "@gavel/telemetry";
import type { Channel } from "./channels.ts";
import type { Listener } from "./feed-hub.ts";
import { deliveries, fanoutLag } from "./push-metrics.ts";
import { traceIdOf } from "./stored-events.ts";

/**
 * Hands one live message to a channel's local listeners, whichever feed received it: it
 * is decoded and serialized once for all of them, inside one span per event per replica
 * (the publisher's child; a span per socket would cost more than the write), and counted
 * in the fan-out's lag and deliveries.
 */
export function deliver(channel: Channel, message: JsMsg, listeners: ReadonlySet<Listener>): void {
  const destination = { subject: channel.subject, template: channel.template };
  traceDeliver(destination, message.headers, listeners.size, () => {
    const event = channel.decode(message.seq, message.data, traceIdOf(message.headers));
    for (const listener of listeners) listener.push(event);
    const attributes = { "gavel.push.channel_kind": channel.kind };
    fanoutLag.record(Date.now() - message.info.timestampNanos / 1e6, attributes);
    deliveries.add(listeners.size, attributes);
  });
}
