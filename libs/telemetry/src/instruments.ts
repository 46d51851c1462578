import {
  metrics,
  type Attributes,
  type Counter,
  type Histogram,
  type MetricOptions,
} from "@opentelemetry/api";

/**
 * Instruments made on first use, not at import. The metrics API has no proxy provider
 * (unlike tracing): an instrument made before the SDK starts stays a no-op forever, and
 * modules are imported before main starts the SDK.
 */
export function lazyHistogram(meter: string, name: string, options: MetricOptions) {
  let instrument: Histogram | undefined;
  return {
    record(value: number, attributes?: Attributes): void {
      instrument ??= metrics.getMeter(meter).createHistogram(name, options);
      instrument.record(value, attributes);
    },
  };
}

export function lazyCounter(meter: string, name: string, options: MetricOptions) {
  let instrument: Counter | undefined;
  return {
    add(value: number, attributes?: Attributes): void {
      instrument ??= metrics.getMeter(meter).createCounter(name, options);
      instrument.add(value, attributes);
    },
  };
}
