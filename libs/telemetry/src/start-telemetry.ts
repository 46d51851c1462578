import { hostname } from "node:os";
import { resourceFromAttributes, type Resource } from "@opentelemetry/resources";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { startSpansOnly } from "./spans-only.ts";

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

/** Settings that only label what is exported: without an endpoint they change nothing. */
const LABELS_ONLY = new Set(["OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"]);

/**
 * Starts telemetry from the standard OTEL_* variables; call it first in main, before anything
 * makes a span. With an OTLP endpoint or any other OTEL_* setting that is the Node SDK;
 * without, nothing is exported or loaded but spans still exist (spans-only.ts). No
 * auto-instrumentation: docs/architecture.md#telemetry-libstelemetry
 */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const env = options.env ?? process.env;
  const exporting = Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT ||
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ||
    env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
  );
  const configured = Object.keys(env).some(
    (name) => name.startsWith("OTEL_") && !LABELS_ONLY.has(name),
  );
  const resource = resourceOf(options, env);
  if (!exporting && !configured) return startSpansOnly(resource);
  const { startNodeSdk } = await import("./node-sdk.ts");
  return startNodeSdk(resource, env, exporting);
}

function resourceOf(options: TelemetryOptions, env: NodeJS.ProcessEnv): Resource {
  return resourceFromAttributes({
    [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? options.service,
    [ATTR_SERVICE_VERSION]: options.version ?? env.GAVEL_VERSION ?? "0.1.0",
    "deployment.environment.name": options.environment ?? env.GAVEL_ENV ?? "development",
    // The chart sets POD_NAME from the downward API; elsewhere the host names it.
    ...(env.POD_NAME ? { "k8s.pod.name": env.POD_NAME } : {}),
    "service.instance.id": env.POD_NAME ?? `${hostname()}-${process.pid}`,
  });
}
