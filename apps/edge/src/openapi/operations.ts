import type { z } from "zod";
import type { namedResponseSchemas } from "../api/response-schemas.ts";
import * as requests from "../api/schemas.ts";

export type Auth = "required" | "optional";
type ResponseName = keyof typeof namedResponseSchemas;

/** Statuses a route or the services it calls may answer with (see openapi-responses.ts). */
export type RouteStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415;

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
  /** The body may be left out. */
  bodyOptional?: boolean;
  /** Answered by the edge alone: never 503 or 504 from a service. */
  local?: boolean;
  /** Sends a strong ETag and answers a matching If-None-Match with 304. */
  conditional?: boolean;
  ok: {
    status: 200 | 201;
    description: string;
    /** The body by media type: a named response schema, or what a text body holds. */
    content: Record<string, ResponseName | { text: string } | { object: string }>;
    /** Headers the answer always carries, besides Cache-Control and the rate-limit ones. */
    headers?: Array<"ETag" | "Location" | "Link">;
  };
  /**
   * What else the route and the services it calls answer, and when. The answers any
   * request may get (openapi-operation.ts: a bad token, a rate limit, a malformed body,
   * ...) are added to every operation; a description here says more about them.
   */
  errors: Partial<Record<RouteStatus, string>>;
}

const json = (schema: ResponseName) => ({ "application/json": schema });

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
    local: true,
    ok: { status: 200, content: json("ApiRoot"), description: "The API root" },
    errors: {},
  },
  {
    method: "get",
    path: "/v1/openapi.json",
    summary: "This document",
    tag: "api",
    auth: "optional",
    local: true,
    conditional: true,
    ok: {
      status: 200,
      content: { "application/openapi+json": { object: "An OpenAPI 3.1 document" } },
      description: "The OpenAPI document of /v1; it changes only with a deployment",
      headers: ["ETag"],
    },
    errors: {},
  },
  {
    method: "get",
    path: "/v1/docs",
    summary: "A reference page over this document, for browsers",
    tag: "api",
    auth: "optional",
    local: true,
    ok: {
      status: 200,
      content: { "text/html": { text: "An HTML page that loads /v1/openapi.json" } },
      description: "The page",
    },
    errors: {},
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
      content: json("LotPage"),
      description: "A page of lots",
      headers: ["Link"],
    },
    errors: {},
  },
  {
    method: "post",
    path: "/v1/lots",
    summary: "List a new lot for sale",
    tag: "lots",
    auth: "required",
    body: requests.CreateLotBody,
    ok: {
      status: 201,
      content: json("Lot"),
      description: "The new lot",
      headers: ["Location", "ETag"],
    },
    errors: {
      400: "The catalog also refuses an ends_at outside its window, naming lot.ends_at",
    },
  },
  {
    method: "post",
    path: "/v1/lots/import",
    summary:
      "List many lots at once: one lot per line of NDJSON (each line a CreateLotBody), each " +
      "answered on its own; at most 4 MiB and 1000 lines are imported, reading stops at 10,000",
    tag: "lots",
    auth: "required",
    body: requests.CreateLotBody,
    bodyType: "application/x-ndjson",
    ok: {
      status: 200,
      content: {
        "application/json": "ImportAnswer",
        "text/event-stream": {
          text:
            "With Accept: text/event-stream, `progress` events ({lines_read, sent_to_catalog, " +
            "failed_here}) while the body is read, then one `result` event holding the JSON " +
            "answer (ImportAnswer), or one `problem` event (Problem) if the import fails once " +
            "the stream began",
        },
      },
      description: "Counts, and per line the created lot or why it was not",
    },
    errors: {
      413: "The body is over 4 MiB, or over 10,000 lines",
      415: "The body is not application/x-ndjson",
    },
  },
  {
    method: "get",
    path: "/v1/lots/{id}",
    summary: "Get a lot",
    tag: "lots",
    auth: "optional",
    path_params: requests.LotIdParams,
    conditional: true,
    ok: { status: 200, content: json("Lot"), description: "The lot", headers: ["ETag"] },
    errors: { 404: "No such lot" },
  },
  {
    method: "post",
    path: "/v1/lots/{id}/cancel",
    summary: "Withdraw a lot (seller, before the first bid)",
    tag: "lots",
    auth: "required",
    path_params: requests.LotIdParams,
    body: requests.CancelLotBody,
    bodyOptional: true,
    ok: { status: 200, content: json("Lot"), description: "The cancelled lot" },
    errors: {
      403: "Only the lot's seller may withdraw it",
      404: "No such lot",
      409: "The lot has bids, has ended or is not open",
    },
  },
  {
    method: "get",
    path: "/v1/lots/{id}/bids",
    summary: "A lot's bids, newest first",
    tag: "bids",
    auth: "optional",
    path_params: requests.LotIdParams,
    query: requests.BidListQuery,
    conditional: true,
    ok: {
      status: 200,
      content: json("BidPage"),
      description: "A page of bids",
      headers: ["ETag", "Link"],
    },
    errors: { 404: "No such lot" },
  },
  {
    method: "post",
    path: "/v1/lots/{id}/bids",
    summary: "Place a bid",
    tag: "bids",
    auth: "required",
    path_params: requests.LotIdParams,
    body: requests.PlaceBidBody,
    ok: {
      status: 201,
      content: json("Bid"),
      description: "The accepted bid; Location is the lot's bid history (a bid has no URL)",
      headers: ["Location"],
    },
    errors: {
      400: "The amount is in another currency than the lot's",
      403: "Sellers may not bid on their own lots",
      404: "No such lot",
      409:
        "Refused by the lot's state: too low (minimum_next_bid says the least), already the " +
        "highest bidder, ended or cancelled (reason says which), or the bid_id was used for " +
        "another bid",
    },
  },
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
  {
    method: "get",
    path: "/v1/users/{id}",
    summary: "A user's public profile",
    tag: "users",
    auth: "optional",
    path_params: requests.UserIdParams,
    ok: { status: 200, content: json("User"), description: "The user" },
    errors: { 404: "No such user" },
  },
  {
    method: "get",
    path: "/v1/me",
    summary: "The signed-in user",
    tag: "users",
    auth: "required",
    ok: { status: 200, content: json("User"), description: "The signed-in user, with email" },
    errors: { 404: "The token's user no longer exists" },
  },
  {
    method: "post",
    path: "/v1/auth/sign-up",
    summary: "Create an account",
    tag: "auth",
    auth: "optional",
    body: requests.SignUpBody,
    ok: {
      status: 201,
      content: json("Session"),
      description: "The new user, signed in; Location is their profile",
      headers: ["Location"],
    },
    errors: { 409: "An account with this email exists: sign in instead" },
  },
  {
    method: "post",
    path: "/v1/auth/sign-in",
    summary: "Exchange email and password for a bearer token",
    tag: "auth",
    auth: "optional",
    body: requests.SignInBody,
    ok: { status: 200, content: json("Session"), description: "An access token" },
    errors: { 401: "Wrong email or password" },
  },
];

/** The query and path schemas whose fields the document names in components.parameters. */
export const PARAMETER_SETS: Record<string, z.ZodObject> = {
  LotIdParams: requests.LotIdParams,
  UserIdParams: requests.UserIdParams,
  LotListQuery: requests.LotListQuery,
  BidListQuery: requests.BidListQuery,
  InvoiceListQuery: requests.InvoiceListQuery,
};
