import type { z } from "zod";
import type * as responses from "./response-schemas.ts";
import * as requests from "./schemas.ts";

export type Auth = "required" | "optional";
type ResponseName = keyof typeof responses;

export interface Operation {
  method: "get" | "post";
  path: string;
  summary: string;
  tag: string;
  auth: Auth;
  path_params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The body's media type, when not application/json. */
  bodyType?: string;
  idempotencyKey?: boolean;
  ok: {
    status: number;
    schema?: ResponseName;
    description: string;
    /** Also answers as Server-Sent Events, with `Accept: text/event-stream`: what they are. */
    eventStream?: string;
  };
  errors: number[];
}

/**
 * Every /v1 operation, as the OpenAPI document (openapi.ts) describes it: the routes
 * validate with these same schemas, so the document cannot drift from what they accept.
 */
export const OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/v1",
    summary: "Where to start: links to everything",
    tag: "api",
    auth: "optional",
    ok: { status: 200, schema: "ApiRoot", description: "The API root" },
    errors: [],
  },
  {
    method: "get",
    path: "/v1/lots",
    summary: "List lots",
    tag: "lots",
    auth: "optional",
    query: requests.LotListQuery,
    ok: {
      status: 200,
      schema: "LotPage",
      description: "A page of lots; Link header with first and next",
    },
    errors: [400],
  },
  {
    method: "post",
    path: "/v1/lots",
    summary: "List a new lot for sale",
    tag: "lots",
    auth: "required",
    body: requests.CreateLotBody,
    idempotencyKey: true,
    ok: { status: 201, schema: "Lot", description: "The new lot" },
    errors: [400, 401, 413, 415],
  },
  {
    method: "post",
    path: "/v1/lots/import",
    summary: "List many lots at once: one lot per line of NDJSON, each answered on its own",
    tag: "lots",
    auth: "required",
    body: requests.CreateLotBody,
    bodyType: "application/x-ndjson",
    idempotencyKey: true,
    ok: {
      status: 200,
      description: "Counts, and per line the created lot or its errors",
      eventStream:
        "With Accept: text/event-stream, `progress` events ({lines_read, sent_to_catalog, " +
        "failed_here}) while the body is read, then one `result` event holding the JSON " +
        "answer, or one `problem` event if the import fails once the stream began",
    },
    errors: [401, 413, 415],
  },
  {
    method: "get",
    path: "/v1/lots/{id}",
    summary: "Get a lot",
    tag: "lots",
    auth: "optional",
    path_params: requests.LotIdParams,
    ok: { status: 200, schema: "Lot", description: "The lot; strong ETag, 304 on If-None-Match" },
    errors: [400, 404],
  },
  {
    method: "post",
    path: "/v1/lots/{id}/cancel",
    summary: "Withdraw a lot (seller, before the first bid)",
    tag: "lots",
    auth: "required",
    path_params: requests.LotIdParams,
    body: requests.CancelLotBody,
    ok: { status: 200, schema: "Lot", description: "The cancelled lot" },
    errors: [400, 401, 403, 404, 409],
  },
  {
    method: "get",
    path: "/v1/lots/{id}/bids",
    summary: "A lot's bids, newest first",
    tag: "bids",
    auth: "optional",
    path_params: requests.LotIdParams,
    query: requests.BidListQuery,
    ok: { status: 200, schema: "BidPage", description: "A page of bids" },
    errors: [400, 404],
  },
  {
    method: "post",
    path: "/v1/lots/{id}/bids",
    summary: "Place a bid",
    tag: "bids",
    auth: "required",
    path_params: requests.LotIdParams,
    body: requests.PlaceBidBody,
    idempotencyKey: true,
    ok: { status: 201, schema: "Bid", description: "The accepted bid" },
    errors: [400, 401, 403, 404, 409, 413, 415],
  },
  {
    method: "get",
    path: "/v1/lots/{id}/invoice",
    summary: "A sold lot's invoice (its buyer and seller only)",
    tag: "invoices",
    auth: "required",
    path_params: requests.LotIdParams,
    ok: {
      status: 200,
      schema: "Invoice",
      description:
        "The invoice; it never changes, so private cache for a day, strong ETag, 304 on If-None-Match",
    },
    errors: [400, 401, 403, 404],
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
      schema: "InvoicePage",
      description: "A page of invoices; Link header with first and next",
    },
    errors: [400, 401],
  },
  {
    method: "get",
    path: "/v1/users/{id}",
    summary: "A user's public profile",
    tag: "users",
    auth: "optional",
    path_params: requests.UserIdParams,
    ok: { status: 200, schema: "User", description: "The user" },
    errors: [400, 404],
  },
  {
    method: "get",
    path: "/v1/me",
    summary: "The signed-in user",
    tag: "users",
    auth: "required",
    ok: { status: 200, schema: "User", description: "The signed-in user, with email" },
    errors: [401],
  },
  {
    method: "post",
    path: "/v1/auth/sign-up",
    summary: "Create an account",
    tag: "auth",
    auth: "optional",
    body: requests.SignUpBody,
    ok: { status: 201, schema: "Session", description: "The new user, signed in" },
    errors: [400, 409, 415],
  },
  {
    method: "post",
    path: "/v1/auth/sign-in",
    summary: "Exchange email and password for a bearer token",
    tag: "auth",
    auth: "optional",
    body: requests.SignInBody,
    ok: { status: 200, schema: "Session", description: "An access token" },
    errors: [400, 401, 415],
  },
];
