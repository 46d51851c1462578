export { startTelemetry } from "./start-telemetry.ts";
export type { Telemetry, TelemetryOptions } from "./start-telemetry.ts";
export { connectClientTracing, connectServerTracing, traceParentKey } from "./connect-tracing.ts";
export { endRequestSpanAtStreamStart, setHttpRoute, traceRequests } from "./http-server-tracing.ts";
export { headersGetter, headersSetter } from "./carriers.ts";
export { tracePublish, traceProcess, traceDeliver, contextOf, linkTo } from "./nats-tracing.ts";
export type { Destination } from "./nats-tracing.ts";
export { lazyCounter, lazyHistogram } from "./instruments.ts";
