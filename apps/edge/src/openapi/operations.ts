import type { z } from "zod";
import * as requests from "../api/schemas.ts";
import { API_OPERATIONS } from "./api-operations.ts";
import { INVOICE_OPERATIONS } from "./invoice-operations.ts";
import { LOT_OPERATIONS } from "./lot-operations.ts";
import type { Operation } from "./operation-row.ts";
import { USER_OPERATIONS } from "./user-operations.ts";

/**
 * Every /v1 operation, as the OpenAPI document (openapi.ts) describes it, in its order:
 * the routes validate with these same schemas, so the document cannot drift from them.
 */
export const OPERATIONS: Operation[] = [
  ...API_OPERATIONS,
  ...LOT_OPERATIONS,
  ...INVOICE_OPERATIONS,
  ...USER_OPERATIONS,
];

/** The query and path schemas whose fields the document names in components.parameters. */
export const PARAMETER_SETS: Record<string, z.ZodObject> = {
  LotIdParams: requests.LotIdParams,
  UserIdParams: requests.UserIdParams,
  LotListQuery: requests.LotListQuery,
  BidListQuery: requests.BidListQuery,
  InvoiceListQuery: requests.InvoiceListQuery,
};
