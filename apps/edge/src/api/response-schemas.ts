import { z } from "zod";
import { CURRENCIES } from "./schemas.ts";

/**
 * The shapes of /v1 responses, for the OpenAPI document; the test suite checks every
 * response it receives against the document (test/contract/), so the document cannot
 * promise what the API does not send, nor leave out what it does. Objects are closed:
 * a field sent and not listed here fails the check.
 */
export const Link = z.object({
  href: z.string().describe("A path, or a URI template when templated"),
  title: z.string().optional(),
  templated: z.boolean().optional().describe("href is a URI template (RFC 6570)"),
  type: z.string().optional().describe("The media type the link leads to"),
});
export const Links = z.record(z.string(), Link).describe("Hypermedia links (HAL), by relation");
const time = z.iso.datetime().nullable();
const count = z.number().int().min(0);

export const Money = z.object({
  currency: z.enum(CURRENCIES),
  amount_minor: count.describe("Exact amount in minor units"),
  amount: z
    .string()
    .regex(/^\d+\.\d{2}$/)
    .describe("The same amount as a decimal string, for display"),
});

export const Lot = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  seller_id: z.string(),
  status: z.enum(["open", "closed", "cancelled", "unknown"]),
  starting_price: Money.nullable(),
  reserve_price: Money.optional().describe("Only shown to the seller, and only when set"),
  reserve_met: z
    .boolean()
    .describe("Whether the highest bid meets the reserve price; always true without a reserve"),
  highest_bid: Money.nullable(),
  bid_count: count,
  winner_id: z.string().nullable(),
  created_at: time,
  ends_at: time,
  snipe_window_seconds: count,
  version: count.describe("Grows with every change; the ETag is made from it"),
  _links: Links,
});

export const LotPage = z.object({ total: count, items: z.array(Lot), _links: Links });

export const Bid = z.object({
  id: z.string(),
  lot_id: z.string(),
  bidder_id: z.string(),
  amount: Money.nullable(),
  placed_at: time,
  sequence: count,
  extended_lot: z.boolean(),
  _links: Links,
});

export const BidPage = z.object({ items: z.array(Bid), _links: Links });

export const Invoice = z.object({
  lot_id: z.string().describe("A lot has at most one invoice"),
  lot_title: z.string(),
  buyer_id: z.string(),
  seller_id: z.string(),
  winning_bid_id: z.string(),
  hammer_price: Money,
  buyers_premium: Money,
  buyer_total: Money.describe("hammer_price + buyers_premium"),
  sellers_commission: Money,
  seller_payout: Money.describe("hammer_price - sellers_commission"),
  closed_at: time,
  issued_at: time,
  fee_schedule: z.string().describe('The fee schedule the fees were computed with, e.g. "2026-11"'),
  _links: Links,
});

export const InvoicePage = z.object({ items: z.array(Invoice), _links: Links });

export const User = z.object({
  id: z.string(),
  display_name: z.string(),
  email: z.string().optional().describe("Only shown to the user themselves"),
  created_at: time,
  _links: Links,
});

export const Session = z.object({
  access_token: z.string(),
  token_type: z.literal("Bearer"),
  expires_at: time,
  user: User,
});

export const ApiRoot = z.object({ name: z.string(), version: z.string(), _links: Links });

export const FieldError = z.object({
  field: z.string().describe("Where: body.amount.amount_minor, query.limit, path.id, ..."),
  message: z.string(),
});

export const Problem = z
  .object({
    type: z
      .string()
      .regex(/^https:\/\/gavel\.dev\/problems\/[a-z-]+$/)
      .describe("What kind of problem, as a URI"),
    title: z.string(),
    status: z.number().int().min(400).max(599).describe("The response's status"),
    detail: z.string(),
    instance: z.string().describe("The request's path and query"),
    errors: z.array(FieldError).optional().describe("Every bad field, on a 400"),
    reason: z
      .enum(["too_low", "lot_ended", "lot_cancelled", "already_highest", "unspecified"])
      .optional()
      .describe("Why a bid was refused"),
    minimum_next_bid: Money.optional().describe("The least a bid may be, on a too_low refusal"),
    violated_policies: z
      .array(z.enum(["per-ip", "per-user"]))
      .optional()
      .describe("The RateLimit-Policy items whose quota is spent, on a 429"),
  })
  .describe("RFC 9457 problem details");

const ImportLine = z.number().int().min(1).describe("Its line in the body, counting from 1");
export const ImportLineResult = z.discriminatedUnion("status", [
  z.object({ line: ImportLine, status: z.literal("created"), lot: Lot }),
  z.object({
    line: ImportLine,
    status: z.literal("failed"),
    error: z.object({
      code: z.string().describe("The Connect code, snake_case: invalid_argument, ..."),
      message: z.string(),
      errors: z.array(FieldError).optional(),
    }),
  }),
]);

export const ImportAnswer = z.object({
  created: count,
  failed: count,
  results: z.array(ImportLineResult).describe("One per non-blank line, in line order"),
});

/** The response schemas the document names in components.schemas, by name. */
export const namedResponseSchemas = {
  Link,
  Links,
  Money,
  Lot,
  LotPage,
  Bid,
  BidPage,
  Invoice,
  InvoicePage,
  User,
  Session,
  ApiRoot,
  FieldError,
  Problem,
  ImportLineResult,
  ImportAnswer,
};
