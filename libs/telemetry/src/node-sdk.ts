import type { Resource } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { NoopSpanProcessor } from "@opentelemetry/sdk-trace";
import type { Telemetry } from "./start-telemetry.ts";

/**
 * The OpenTelemetry Node SDK, configured by the standard OTEL_* variables: loaded only
 * when something is exported or an OTEL_* setting asks for it (start-telemetry.ts), as it
 * brings every exporter (OTLP over HTTP and gRPC, Zipkin, Prometheus) and its config.
 */
export function startNodeSdk(
  resource: Resource,
  env: NodeJS.ProcessEnv,
  exporting: boolean,
): Telemetry {
  if (!exporting) env.OTEL_METRICS_EXPORTER ??= "none";
  env.OTEL_LOGS_EXPORTER ??= "none"; // logs go to stdout as JSON with trace ids
  env.OTEL_METRIC_EXPORT_INTERVAL ??= "10000";
  const sdk = new NodeSDK({
    serviceName: resource.attributes["service.name"] as string,
    resource,
    // Ours only: the default detectors would replace service.instance.id with a UUID.
    autoDetectResources: false,
    instrumentations: [],
    // Without an endpoint, a tracer provider that exports nothing: "none" would register
    // no provider at all, and new traces would get all-zero ids in spans and logs.
    ...(exporting ? {} : { spanProcessors: [new NoopSpanProcessor()] }),
  });
  sdk.start();
  return {
    exporting: exporting && env.OTEL_SDK_DISABLED !== "true",
    shutdown: () => sdk.shutdown(),
  };
}
