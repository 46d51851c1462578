import type { CallOptions, ContextValues } from "@connectrpc/connect";
import { UPSTREAM_TIMEOUT_MS } from "./service-clients.ts";

/** What a front knows about the client request a service call is made for. */
export interface CallerRequest {
  /** The caller's Authorization header, forwarded: each service verifies it itself. */
  authorization: string | undefined;
  /** Aborted when the client goes away, which cancels the call. */
  signal: AbortSignal;
  /** Per-request values for the clients' interceptors (trace parent, call counting). */
  contextValues?: ContextValues;
}

/**
 * The options of every call a front (the REST edge, the GraphQL BFF) makes for a client
 * request: the caller's token, the client's cancellation, the upstream deadline.
 */
export function onBehalfOf(caller: CallerRequest): CallOptions {
  return {
    timeoutMs: UPSTREAM_TIMEOUT_MS,
    signal: caller.signal,
    ...(caller.contextValues ? { contextValues: caller.contextValues } : {}),
    ...(caller.authorization ? { headers: { authorization: caller.authorization } } : {}),
  };
}
