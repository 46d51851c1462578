import { trace } from "@opentelemetry/api";
import { pino, type Logger, type DestinationStream } from "pino";

export type { Logger } from "pino";

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/**
 * The one logger of a Gavel process: JSON lines with the service name, an ISO time,
 * a text level, and the active span's trace_id and span_id so a line can be found
 * from its trace and the other way round.
 */
export function createLogger({ service, level = "info", destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const context = trace.getActiveSpan()?.spanContext();
        if (!context || !trace.isSpanContextValid(context)) return {};
        return { trace_id: context.traceId, span_id: context.spanId };
      },
      redact: {
        paths: ["password", "*.password", "token", "*.token", "authorization"],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
