import type { DescService } from "@bufbuild/protobuf";
import { createClient, type CallOptions, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { Request, Response } from "express";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { CatalogService } from "@gavel/proto/catalog/v1/catalog";
import { IdentityService } from "@gavel/proto/identity/v1/identity";

/** The internal services the edge calls, over Connect on HTTP/2. */
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
    createClient(service, createConnectTransport({ baseUrl, httpVersion: "2" }));
  return {
    catalog: client(CatalogService, urls.catalog),
    bidding: client(BiddingService, urls.bidding),
    identity: client(IdentityService, urls.identity),
  };
}

/** How long a service may take before the edge answers 504. */
const UPSTREAM_TIMEOUT_MS = 10_000;

/**
 * Options for a call made on behalf of a request: the caller's token goes along (each
 * service verifies it itself), and the call is cancelled if the client goes away.
 */
export function onBehalfOf(req: Request, res: Response): CallOptions {
  const authorization = req.get("authorization");
  return {
    timeoutMs: UPSTREAM_TIMEOUT_MS,
    signal: clientGone(res),
    ...(authorization ? { headers: { authorization } } : {}),
  };
}

/** Aborts when the connection closes before the response was sent. */
function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
