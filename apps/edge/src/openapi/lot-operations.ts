import * as requests from "../api/schemas.ts";
import { json, type Operation } from "./operation-row.ts";

/** Lots and their bids: list, create, import, read, withdraw, bid. */
export const LOT_OPERATIONS: Operation[] = [
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
];
