import { randomUUID } from "node:crypto";
import { Router } from "express";
import { requireCaller } from "../http/authentication.ts";
import { answerConditionally, cachePolicy, versionEtag } from "../http/http-caching.ts";
import { bidJson } from "../api/representations.ts";
import { BidListQuery, LotIdParams, PlaceBidBody } from "../api/schemas.ts";
import { onBehalfOf, type Upstream } from "../api/upstream.ts";
import { parse } from "../http/validation.ts";
import { methodNotAllowed, requireJson } from "./route-guards.ts";

export function bidRoutes(upstream: Upstream): Router {
  const router = Router();
  router
    .route("/lots/:id/bids")
    .get(async (req, res) => {
      const { id } = parse(LotIdParams, req.params, "path");
      const query = parse(BidListQuery, req.query, "query");
      const page = await upstream.bidding.listBids(
        { lotId: id, pageSize: query.limit, pageToken: query.cursor ?? "" },
        onBehalfOf(req, res),
      );
      const href = (cursor?: string) =>
        `/v1/lots/${id}/bids?limit=${query.limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const next = page.nextPageToken ? href(page.nextPageToken) : undefined;
      res.set(
        "link",
        [`<${href()}>; rel="first"`, ...(next ? [`<${next}>; rel="next"`] : [])].join(", "),
      );
      const etag = versionEtag("bids", `${id}-${query.limit}-${query.cursor ?? ""}`, page.version);
      if (answerConditionally(req, res, etag, cachePolicy.publicCatalog)) return;
      res.json({
        items: page.bids.map(bidJson),
        _links: {
          self: { href: href(query.cursor) },
          lot: { href: `/v1/lots/${id}` },
          ...(next ? { next: { href: next } } : {}),
        },
      });
    })
    .post(requireJson, async (req, res) => {
      requireCaller(res);
      const { id } = parse(LotIdParams, req.params, "path");
      const body = parse(PlaceBidBody, req.body, "body");
      // The bid id makes a retry safe end to end: the same id is accepted at most once.
      const bidId = body.bid_id ?? req.get("idempotency-key") ?? randomUUID();
      const { bid } = await upstream.bidding.placeBid(
        {
          lotId: id,
          bidId,
          amount: {
            currencyCode: body.amount.currency,
            amountMinor: BigInt(body.amount.amount_minor),
          },
        },
        onBehalfOf(req, res),
      );
      res
        .status(201)
        .set("cache-control", cachePolicy.none)
        .location(`/v1/lots/${id}/bids`)
        .json(bidJson(bid!));
    })
    .all(methodNotAllowed("GET", "POST"));
  return router;
}
