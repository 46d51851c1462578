import { createContextKey, createContextValues } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { onBehalfOf } from "./on-behalf-of.ts";
import { UPSTREAM_TIMEOUT_MS } from "./service-clients.ts";

describe("a call on behalf of a client request", () => {
  it("forwards the caller's token, its cancellation and the upstream deadline", () => {
    const signal = new AbortController().signal;
    const options = onBehalfOf({ authorization: "Bearer abc", signal });
    expect(options).toEqual({
      timeoutMs: UPSTREAM_TIMEOUT_MS,
      signal,
      headers: { authorization: "Bearer abc" },
    });
  });

  it("sends no Authorization header for an anonymous caller, and keeps context values", () => {
    const key = createContextKey("none");
    const contextValues = createContextValues().set(key, "request-1");
    const options = onBehalfOf({
      authorization: undefined,
      signal: AbortSignal.abort(),
      contextValues,
    });
    expect(options.headers).toBeUndefined();
    expect(options.contextValues?.get(key)).toBe("request-1");
    expect(options.signal?.aborted).toBe(true);
  });
});
