import { z } from "zod";

/**
 * The shapes of /v1 responses, for the OpenAPI document; tests parse real responses
 * with them, so the document cannot promise what the API does not send.
 */
const link = z.object({
  href: z.string(),
  title: z.string().optional(),
  templated: z.boolean().optional(),
  type: z.string().optional(),
});
const links = z.record(z.string(), link).describe("Hypermedia links (HAL)");
const time = z.iso.datetime().nullable();

export const Money = z.object({
  currency: z.string(),
  amount_minor: z.number().int().describe("Exact amount in minor units"),
  amount: z.string().describe("The same amount as a decimal string, for display"),
});

export const Lot = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  seller_id: z.string(),
  status: z.enum(["open", "closed", "cancelled", "unknown"]),
  starting_price: Money.nullable(),
  reserve_price: Money.nullable().optional().describe("Only shown to the seller"),
  reserve_met: z
    .boolean()
    .describe("Whether the highest bid meets the reserve price; always true without a reserve"),
  highest_bid: Money.nullable(),
  bid_count: z.number().int(),
  winner_id: z.string().nullable(),
  created_at: time,
  ends_at: time,
  snipe_window_seconds: z.number().int(),
  version: z.number().int().describe("Grows with every change; the ETag is made from it"),
  _links: links,
});

export const LotPage = z.object({ total: z.number().int(), items: z.array(Lot), _links: links });

export const Bid = z.object({
  id: z.string(),
  lot_id: z.string(),
  bidder_id: z.string(),
  amount: Money.nullable(),
  placed_at: time,
  sequence: z.number().int(),
  extended_lot: z.boolean(),
  _links: links,
});

export const BidPage = z.object({ items: z.array(Bid), _links: links });

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
  _links: links,
});

export const InvoicePage = z.object({ items: z.array(Invoice), _links: links });

export const User = z.object({
  id: z.string(),
  display_name: z.string(),
  email: z.string().optional().describe("Only shown to the user themselves"),
  created_at: time,
  _links: links,
});

export const Session = z.object({
  access_token: z.string(),
  token_type: z.literal("Bearer"),
  expires_at: time,
  user: User,
});

export const ApiRoot = z.object({ name: z.string(), version: z.string(), _links: links });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    reason: z.string().optional(),
    minimum_next_bid: Money.optional(),
  })
  .describe("RFC 9457 problem details");
