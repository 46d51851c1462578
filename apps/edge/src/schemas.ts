import { z } from "zod";

/**
 * The request schemas of /v1: they validate requests and are the source of the
 * OpenAPI document (openapi.ts), so the two cannot drift. Objects are strict: an
 * unknown field is an error, not silently dropped.
 */
const id = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be an id of 1 to 64 letters, digits, _ or -")
  .meta({ example: "0197a4b2-7c1e-7000-8000-0000000000a1" });

export const MoneyInput = z.strictObject({
  currency: z.enum(["EUR", "USD", "GBP", "CHF"]).describe("ISO 4217 code"),
  amount_minor: z
    .number()
    .int("must be a whole number of minor units (cents)")
    .positive()
    .max(1_000_000_000_000)
    .describe("Amount in minor units: 12345 is 123.45"),
});

export const LotIdParams = z.strictObject({ id });

export const LotListQuery = z.strictObject({
  status: z.enum(["open", "closed", "cancelled"]).optional(),
  seller_id: id.optional(),
  sort: z.enum(["newest", "ending_soonest"]).default("newest"),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional().describe("From a previous page's next link"),
});

export const CreateLotBody = z.strictObject({
  title: z.string().min(3).max(120),
  description: z.string().max(5000).default(""),
  starting_price: MoneyInput,
  reserve_price: MoneyInput.optional(),
  ends_at: z.iso.datetime({ offset: true }).describe("RFC 3339 time, at least a minute ahead"),
  snipe_window_seconds: z.number().int().min(0).max(3600).default(0).describe("0 means 120"),
});

export const CancelLotBody = z.strictObject({ reason: z.string().max(500).default("") });

export const PlaceBidBody = z.strictObject({
  amount: MoneyInput,
  bid_id: id.optional().describe("Client-chosen; defaults to the Idempotency-Key, else a new UUID"),
});

export const BidListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});

export const InvoiceListQuery = z.strictObject({
  role: z
    .enum(["buyer", "seller"])
    .describe("The caller's invoices as buyer (won) or seller (sold)"),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional().describe("From a previous page's next link"),
});

export const SignUpBody = z.strictObject({
  email: z.email(),
  password: z.string().min(10).max(200),
  display_name: z.string().min(1).max(60),
});

export const SignInBody = z.strictObject({
  email: z.string().max(254),
  password: z.string().max(200),
});

export const UserIdParams = z.strictObject({ id });
