import type { DescService } from "@bufbuild/protobuf";
import {
  createClient,
  createContextValues,
  type CallOptions,
  type Client,
} from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { CatalogService } from "@gavel/proto/catalog/v1/catalog";
import { IdentityService } from "@gavel/proto/identity/v1/identity";
import { countUpstreamCalls, upstreamCallsKey, type UpstreamCalls } from "./upstream-calls.ts";

/** The internal services the BFF calls, over Connect on HTTP/2. */
export interface Upstream {
  catalog: Client<typeof CatalogService>;
  bidding: Client<typeof BiddingService>;
  identity: Client<typeof IdentityService>;
}

export interface UpstreamUrls {
  catalog: string;
  bidding: string;
  identity: string;
}

export function createUpstream(urls: UpstreamUrls): Upstream {
  const client = <T extends DescService>(service: T, baseUrl: string) =>
    createClient(
      service,
      createConnectTransport({ baseUrl, httpVersion: "2", interceptors: [countUpstreamCalls] }),
    );
  return {
    catalog: client(CatalogService, urls.catalog),
    bidding: client(BiddingService, urls.bidding),
    identity: client(IdentityService, urls.identity),
  };
}

/** How long a service may take before the field fails with TIMEOUT. */
const UPSTREAM_TIMEOUT_MS = 10_000;

/** What every call made for one GraphQL request carries. */
export interface RequestScope {
  /** The caller's Authorization header, forwarded: each service verifies it itself. */
  authorization: string | undefined;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  calls: UpstreamCalls;
}

export function onBehalfOf(scope: RequestScope): CallOptions {
  return {
    timeoutMs: UPSTREAM_TIMEOUT_MS,
    signal: scope.signal,
    contextValues: createContextValues().set(upstreamCallsKey, scope.calls),
    ...(scope.authorization ? { headers: { authorization: scope.authorization } } : {}),
  };
}
