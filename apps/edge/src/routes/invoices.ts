import { Router } from "express";
import { InvoiceRole } from "@gavel/proto/settlement/v1/settlement";
import type { z } from "zod";
import { requireCaller } from "../http/authentication.ts";
import { answerConditionally, cachePolicy, immutableEtag } from "../http/http-caching.ts";
import { invoiceJson } from "../api/representations.ts";
import { InvoiceListQuery, LotIdParams } from "../api/schemas.ts";
import { onBehalfOf, type Upstream } from "../api/upstream.ts";
import { parse } from "../http/validation.ts";
import { methodNotAllowed } from "./route-guards.ts";

const ROLES = { buyer: InvoiceRole.BUYER, seller: InvoiceRole.SELLER } as const;

/** A sold lot's invoice and the caller's invoices: settlement answers, and decides who may read. */
export function invoiceRoutes(upstream: Upstream): Router {
  const router = Router();

  router
    .route("/lots/:id/invoice")
    .get(async (req, res) => {
      requireCaller(res);
      const { id } = parse(LotIdParams, req.params, "path");
      // Asked even for a revalidation: a 304 would otherwise tell anyone that it exists.
      const { invoice } = await upstream.settlement.getInvoice({ lotId: id }, onBehalfOf(req, res));
      if (answerConditionally(req, res, immutableEtag("invoice", id), cachePolicy.invoice)) return;
      res.json(invoiceJson(invoice!));
    })
    .all(methodNotAllowed("GET"));

  router
    .route("/me/invoices")
    .get(async (req, res) => {
      requireCaller(res);
      const query = parse(InvoiceListQuery, req.query, "query");
      const page = await upstream.settlement.listInvoices(
        { role: ROLES[query.role], pageSize: query.limit, pageToken: query.cursor ?? "" },
        onBehalfOf(req, res),
      );
      const first = pageHref(query, undefined);
      const next = page.nextPageToken ? pageHref(query, page.nextPageToken) : undefined;
      res.set(
        "link",
        [`<${first}>; rel="first"`, ...(next ? [`<${next}>; rel="next"`] : [])].join(", "),
      );
      res.set("cache-control", cachePolicy.private).vary("Authorization");
      res.json({
        items: page.invoices.map(invoiceJson),
        _links: {
          self: { href: pageHref(query, query.cursor) },
          first: { href: first },
          ...(next ? { next: { href: next } } : {}),
          me: { href: "/v1/me" },
        },
      });
    })
    .all(methodNotAllowed("GET"));

  return router;
}

function pageHref(query: z.infer<typeof InvoiceListQuery>, cursor: string | undefined): string {
  const params = new URLSearchParams({ role: query.role, limit: String(query.limit) });
  if (cursor) params.set("cursor", cursor);
  return `/v1/me/invoices?${params}`;
}
