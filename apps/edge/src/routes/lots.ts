import { Router } from "express";
import { LotOrder, LotStatus, type Lot } from "@gavel/proto/catalog/v1/catalog";
import type { z } from "zod";
import { callerOf, requireCaller } from "../http/authentication.ts";
import { answerConditionally, cachePolicy, versionEtag } from "../http/http-caching.ts";
import { draftFrom } from "../api/lot-draft.ts";
import type { PushPaths } from "../api/push-paths.ts";
import { lotJson } from "../api/representations.ts";
import { CancelLotBody, CreateLotBody, LotIdParams, LotListQuery } from "../api/schemas.ts";
import { onBehalfOf, type Upstream } from "../api/upstream.ts";
import { parse } from "../http/validation.ts";
import { methodNotAllowed, requireJson } from "./route-guards.ts";

const STATUSES = {
  open: LotStatus.OPEN,
  closed: LotStatus.CLOSED,
  cancelled: LotStatus.CANCELLED,
} as const;
const ORDERS = { newest: LotOrder.NEWEST, ending_soonest: LotOrder.ENDING_SOONEST } as const;

export function lotRoutes(upstream: Upstream, push: PushPaths): Router {
  const router = Router();
  const json = (lot: Lot) => lotJson(lot, push);

  router
    .route("/lots")
    .get(async (req, res) => {
      const query = parse(LotListQuery, req.query, "query");
      const page = await upstream.catalog.listLots(
        {
          ...(query.status ? { status: STATUSES[query.status] } : {}),
          sellerId: query.seller_id ?? "",
          order: ORDERS[query.sort],
          pageSize: query.limit,
          pageToken: query.cursor ?? "",
        },
        onBehalfOf(req, res),
      );
      const self = pageHref(query, query.cursor);
      const first = pageHref(query, undefined);
      const next = page.nextPageToken ? pageHref(query, page.nextPageToken) : undefined;
      const prev = page.previousPageToken ? pageHref(query, page.previousPageToken) : undefined;
      const pages = { first, ...(prev ? { prev } : {}), ...(next ? { next } : {}) };
      res.set(
        "link",
        Object.entries(pages)
          .map(([rel, href]) => `<${href}>; rel="${rel}"`)
          .join(", "),
      );
      res
        .set("cache-control", callerOf(res) ? cachePolicy.private : cachePolicy.publicCatalog)
        .vary("Authorization");
      res.json({
        total: page.totalSize,
        items: page.lots.map(json),
        _links: {
          self: { href: self },
          ...Object.fromEntries(Object.entries(pages).map(([rel, href]) => [rel, { href }])),
        },
      });
    })
    .post(requireJson, async (req, res) => {
      requireCaller(res);
      const body = parse(CreateLotBody, req.body, "body");
      const { lot } = await upstream.catalog.createLot(
        { lot: draftFrom(body), requestId: req.get("idempotency-key") ?? "" },
        onBehalfOf(req, res),
      );
      res
        .status(201)
        .location(`/v1/lots/${lot!.id}`)
        .set("etag", versionEtag("lot", lot!.id, lot!.version))
        .set("cache-control", cachePolicy.none)
        .json(json(lot!));
    })
    .all(methodNotAllowed("GET", "POST"));

  router
    .route("/lots/:id")
    .get(async (req, res) => {
      const { id } = parse(LotIdParams, req.params, "path");
      const { lot } = await upstream.catalog.getLot({ id }, onBehalfOf(req, res));
      const etag = versionEtag("lot", id, lot!.version);
      const policy = callerOf(res) ? cachePolicy.private : cachePolicy.publicCatalog;
      if (answerConditionally(req, res, etag, policy)) return;
      res.json(json(lot!));
    })
    .all(methodNotAllowed("GET"));

  router
    .route("/lots/:id/cancel")
    .post(requireJson, async (req, res) => {
      requireCaller(res);
      const { id } = parse(LotIdParams, req.params, "path");
      const body = parse(CancelLotBody, req.body ?? {}, "body");
      const { lot } = await upstream.catalog.cancelLot(
        { id, reason: body.reason },
        onBehalfOf(req, res),
      );
      res.set("cache-control", cachePolicy.none).json(json(lot!));
    })
    .all(methodNotAllowed("POST"));

  return router;
}

function pageHref(query: z.infer<typeof LotListQuery>, cursor: string | undefined): string {
  const params = new URLSearchParams();
  if (query.status) params.set("status", query.status);
  if (query.seller_id) params.set("seller_id", query.seller_id);
  params.set("sort", query.sort);
  params.set("limit", String(query.limit));
  if (cursor) params.set("cursor", cursor);
  return `/v1/lots?${params}`;
}
