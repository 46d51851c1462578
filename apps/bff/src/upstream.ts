import { createContextValues, type CallOptions } from "@connectrpc/connect";
import {
  createUpstream as createClients,
  onBehalfOf as callOptions,
  type Upstream,
  type UpstreamUrls,
} from "@gavel/service";
import { traceParentKey } from "@gavel/telemetry";
import { callParent, type OperationTrace } from "./graphql-tracing.ts";
import { countUpstreamCalls, upstreamCallsKey, type UpstreamCalls } from "./upstream-calls.ts";

export type { Upstream } from "@gavel/service";

/** The services' clients, each call counted for the request that made it. */
export function createUpstream(urls: UpstreamUrls): Upstream {
  return createClients(urls, [countUpstreamCalls]);
}

/** What every call made for one GraphQL request carries. */
export interface RequestScope {
  /** The caller's Authorization header, forwarded: each service verifies it itself. */
  authorization: string | undefined;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  calls: UpstreamCalls;
  /** Where the request's service calls belong in its trace. */
  trace: OperationTrace;
}

/** A call for this request: the caller's token, its cancellation, its trace and count. */
export function onBehalfOf(scope: RequestScope): CallOptions {
  return callOptions({
    authorization: scope.authorization,
    signal: scope.signal,
    contextValues: createContextValues()
      .set(upstreamCallsKey, scope.calls)
      .set(traceParentKey, callParent(scope.trace)),
  });
}
