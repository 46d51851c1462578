import type { TextMapGetter, TextMapSetter } from "@opentelemetry/api";

/** Trace context in a fetch-style Headers object (Connect requests and responses). */
export const headersSetter: TextMapSetter<Headers> = {
  set: (headers, key, value) => headers.set(key, value),
};

export const headersGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};
