import * as requests from "../api/schemas.ts";
import { json, type Operation } from "./operation-row.ts";

/** A sold lot's invoice, and the signed-in user's invoices. */
export const INVOICE_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/v1/lots/{id}/invoice",
    summary: "A sold lot's invoice (its buyer and seller only)",
    tag: "invoices",
    auth: "required",
    path_params: requests.LotIdParams,
    conditional: true,
    ok: {
      status: 200,
      content: json("Invoice"),
      description: "The invoice; it never changes, so private cache for a day",
      headers: ["ETag"],
    },
    errors: {
      403: "Only the lot's buyer and seller may read it",
      404: "No such lot, or no invoice (yet): the lot did not sell, or is not closed",
    },
  },
  {
    method: "get",
    path: "/v1/me/invoices",
    summary: "The signed-in user's invoices as buyer or seller, newest first",
    tag: "invoices",
    auth: "required",
    query: requests.InvoiceListQuery,
    ok: {
      status: 200,
      content: json("InvoicePage"),
      description: "A page of invoices",
      headers: ["Link"],
    },
    errors: {},
  },
];
