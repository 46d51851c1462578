import { create } from "@bufbuild/protobuf";
import { isSupportedCurrency, SUPPORTED_CURRENCIES, type LotWriter } from "@gavel/lot-events";
import { isSafeToken } from "@gavel/nats";
import { FieldViolations } from "@gavel/service";
import {
  PlaceBidResponseSchema,
  type PlaceBidRequest,
  type PlaceBidResponse,
} from "@gavel/proto/bidding/v1/bidding";
import { placeBid } from "./bid-placement.ts";
import { bidView, lotStateView } from "./bidding-messages.ts";

/** 10 billion in a two-decimal currency: far above any real bid, far below overflow. */
const MAX_AMOUNT_MINOR = 1_000_000_000_000n;

/**
 * A PlaceBidRequest checked and placed for a bidder: what PlaceBid and a BidSession's
 * place_bid both do. Throws INVALID_ARGUMENT listing every bad field, or what placing
 * the bid threw (the service's error table maps it).
 */
export async function placeRequestedBid(
  writer: LotWriter,
  bidderId: string,
  req: PlaceBidRequest,
): Promise<PlaceBidResponse> {
  checkBidRequest(req).throwIfAny();
  const amount = req.amount!;
  const { bid, state } = await placeBid(writer, req.lotId, {
    bidId: req.bidId,
    bidderId,
    amount: { currency: amount.currencyCode, minor: amount.amountMinor },
  });
  return create(PlaceBidResponseSchema, {
    bid: bidView(req.lotId, bid),
    state: lotStateView(state),
  });
}

function checkBidRequest(req: PlaceBidRequest): FieldViolations {
  const v = new FieldViolations();
  v.check(isSafeToken(req.lotId), "lot_id", "must be a lot id");
  v.check(
    isSafeToken(req.bidId),
    "bid_id",
    "must be 1 to 64 of A-Z, a-z, 0-9, _ and - (a UUID works)",
  );
  if (v.check(req.amount !== undefined, "amount", "is required")) {
    const amount = req.amount!;
    v.check(
      isSupportedCurrency(amount.currencyCode),
      "amount.currency_code",
      `must be one of ${SUPPORTED_CURRENCIES.join(", ")}`,
    );
    v.check(
      amount.amountMinor > 0n && amount.amountMinor <= MAX_AMOUNT_MINOR,
      "amount.amount_minor",
      `must be a whole number of minor units from 1 to ${MAX_AMOUNT_MINOR}`,
    );
  }
  return v;
}
