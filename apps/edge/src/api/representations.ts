import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { decimalAmount } from "@gavel/money";
import type { Bid } from "@gavel/proto/bidding/v1/bidding";
import { LotStatus, type Lot } from "@gavel/proto/catalog/v1/catalog";
import type { Money } from "@gavel/proto/common/v1/money";
import type { User } from "@gavel/proto/identity/v1/identity";
import type { Invoice } from "@gavel/proto/settlement/v1/settlement";
import { links, type Links } from "./links.ts";
import type { PushPaths } from "./push-paths.ts";

/** Money in JSON: integer minor units (exact) plus a decimal string for display. */
export function moneyJson(money: Money | undefined) {
  if (!money) return null;
  const minor = money.amountMinor;
  return {
    currency: money.currencyCode,
    amount_minor: Number(minor),
    amount: decimalAmount(minor),
  };
}

function time(ts: Timestamp | undefined): string | null {
  return ts ? timestampDate(ts).toISOString() : null;
}

const STATUS_NAMES: Record<LotStatus, string> = {
  [LotStatus.UNSPECIFIED]: "unknown",
  [LotStatus.OPEN]: "open",
  [LotStatus.CLOSED]: "closed",
  [LotStatus.CANCELLED]: "cancelled",
};

export function lotStatusName(status: LotStatus): string {
  return STATUS_NAMES[status];
}

/** A lot as /v1 shows it, its live feeds on the push gateway's paths. */
export function lotJson(lot: Lot, push: PushPaths) {
  return {
    id: lot.id,
    title: lot.title,
    description: lot.description,
    seller_id: lot.sellerId,
    status: STATUS_NAMES[lot.status],
    starting_price: moneyJson(lot.startingPrice),
    // Only the seller's view carries the reserve, and only when there is one.
    ...(lot.reservePrice && lot.reservePrice.amountMinor > 0n
      ? { reserve_price: moneyJson(lot.reservePrice) }
      : {}),
    reserve_met: lot.reserveMet,
    highest_bid: moneyJson(lot.highestBid),
    bid_count: lot.bidCount,
    winner_id: lot.winnerId || null,
    created_at: time(lot.createdAt),
    ends_at: time(lot.endsAt),
    snipe_window_seconds: lot.snipeWindowSeconds,
    version: Number(lot.version),
    _links: links.lot(lot, push),
  };
}

export function bidJson(bid: Bid) {
  return {
    id: bid.bidId,
    lot_id: bid.lotId,
    bidder_id: bid.bidderId,
    amount: moneyJson(bid.amount),
    placed_at: time(bid.placedAt),
    sequence: Number(bid.sequence),
    extended_lot: bid.extendedLot,
    _links: links.bid(bid),
  };
}

export function invoiceJson(invoice: Invoice) {
  return {
    lot_id: invoice.lotId,
    lot_title: invoice.lotTitle,
    buyer_id: invoice.buyerId,
    seller_id: invoice.sellerId,
    winning_bid_id: invoice.winningBidId,
    hammer_price: moneyJson(invoice.hammerPrice),
    buyers_premium: moneyJson(invoice.buyersPremium),
    buyer_total: moneyJson(invoice.buyerTotal),
    sellers_commission: moneyJson(invoice.sellersCommission),
    seller_payout: moneyJson(invoice.sellerPayout),
    closed_at: time(invoice.closedAt),
    issued_at: time(invoice.issuedAt),
    fee_schedule: invoice.feeSchedule,
    _links: links.invoice(invoice),
  };
}

export function userJson(user: User) {
  return {
    id: user.id,
    display_name: user.displayName,
    ...(user.email ? { email: user.email } : {}),
    created_at: time(user.createdAt),
    _links: links.user(user.id),
  };
}

export type { Links };
