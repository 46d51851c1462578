import { hostname } from "node:os";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { NoopSpanProcessor } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";

export interface TelemetryOptions {
  /** service.name, unless OTEL_SERVICE_NAME says otherwise. */
  service: string;
  version?: string;
  /** development or production: deployment.environment.name. */
  environment?: string;
  env?: NodeJS.ProcessEnv;
}

export interface Telemetry {
  /** Whether spans and metrics leave the process (an OTLP endpoint is configured). */
  exporting: boolean;
  /** Flushes what is buffered and stops exporting; the last step of a shutdown. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK from the standard OTEL_* variables; call it first in
 * main, before anything makes a span. Without an endpoint it exports nothing and connects
 * nowhere, but spans still exist; there is no auto-instrumentation, each protocol boundary
 * makes its own spans. docs/architecture.md#telemetry-libstelemetry
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  const exporting = Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT ||
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ||
    env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
  );
  if (!exporting) env.OTEL_METRICS_EXPORTER ??= "none";
  env.OTEL_LOGS_EXPORTER ??= "none"; // logs go to stdout as JSON with trace ids
  env.OTEL_METRIC_EXPORT_INTERVAL ??= "10000";
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? options.service,
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? options.service,
      [ATTR_SERVICE_VERSION]: options.version ?? env.GAVEL_VERSION ?? "0.1.0",
      "deployment.environment.name": options.environment ?? env.GAVEL_ENV ?? "development",
      // The chart sets POD_NAME from the downward API; elsewhere the host names it.
      ...(env.POD_NAME ? { "k8s.pod.name": env.POD_NAME } : {}),
      "service.instance.id": env.POD_NAME ?? `${hostname()}-${process.pid}`,
    }),
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
