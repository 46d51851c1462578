import { metrics } from "@opentelemetry/api";
import { lazyCounter, lazyHistogram } from "@gavel/telemetry";

/**
 * How far behind the stream a replica hands events to its sockets: from the moment
 * JetStream stored an event to the moment this replica handed it to the last of its
 * local listeners.
 * Its p99 is the fan-out's health at a glance.
 */
export const fanoutLag = lazyHistogram("gavel.push", "gavel.push.fanout.lag", {
  unit: "ms",
  description: "Time from an event's storage in JetStream to its hand-off to the last local socket",
});

/** Events handed to local sockets and streams (one per event per receiver). */
export const deliveries = lazyCounter("gavel.push", "gavel.push.deliveries", {
  description: "Events handed to local WebSocket sessions and SSE streams",
});

/**
 * Open connections on this replica, by protocol, read when metrics are collected. Call it
 * after the SDK started (see lazyHistogram for why).
 */
export function observeConnections(read: () => { websocket: number; sse: number }): void {
  metrics
    .getMeter("gavel.push")
    .createObservableGauge("gavel.push.connections", {
      description: "Open WebSocket sessions and SSE streams on this replica",
    })
    .addCallback((result) => {
      const open = read();
      result.observe(open.websocket, { "network.protocol.name": "websocket" });
      result.observe(open.sse, { "network.protocol.name": "sse" });
    });
}
