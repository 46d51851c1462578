import type { JsMsg } from "@nats-io/jetstream";
import { trace } from "@opentelemetry/api";
import { traceDeliver } from "@gavel/telemetry";
import type { Channel } from "./channels.ts";
import type { Listener } from "./feed-hub.ts";
import { deliveries, fanoutLag } from "../push-metrics.ts";
import type { TraceClaims } from "../tracing/trace-claims.ts";
import { traceIdOf } from "../tracing/traceparent.ts";

/**
 * Hands one live message to a channel's local listeners, whichever feed received it: it
 * is decoded and serialized once for all of them, inside one span per event per replica
 * (the publisher's child; a span per socket would cost more than the write) that counts
 * the receivers by transport, and counted in the fan-out's lag and deliveries. Its trace
 * becomes the server's in `claims`: no client may join it.
 */
export function deliver(
  channel: Channel,
  message: JsMsg,
  listeners: ReadonlySet<Listener>,
  claims: TraceClaims,
): void {
  const destination = { subject: channel.subject, template: channel.template };
  const traceId = traceIdOf(message.headers);
  if (traceId) claims.markServer(traceId);
  traceDeliver(destination, message.headers, listeners.size, () => {
    const event = channel.decode(message.seq, message.data, traceId);
    // Counted as pushed: a stream that fails on its write leaves the set meanwhile.
    let ws = 0;
    let sse = 0;
    for (const listener of listeners) {
      listener.push(event);
      if (listener.transport === "sse") sse++;
      else ws++;
    }
    trace.getActiveSpan()?.setAttributes({
      "gavel.push.ws_receivers": ws,
      "gavel.push.sse_receivers": sse,
    });
    const attributes = { "gavel.push.channel_kind": channel.kind };
    fanoutLag.record(Date.now() - message.info.timestampNanos / 1e6, attributes);
    deliveries.add(listeners.size, attributes);
  });
}
