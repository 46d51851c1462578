import { timestampDate } from "@bufbuild/protobuf/wkt";
import { isSupportedCurrency, SUPPORTED_CURRENCIES, type LotState } from "@gavel/lot-events";
import { FieldViolations } from "@gavel/service";
import { LotStatus, type Lot, type LotDraft } from "@gavel/proto/catalog/v1/catalog";

export const TITLE_MIN = 3;
export const TITLE_MAX = 120;
export const DESCRIPTION_MAX = 5000;
export const MAX_LOT_DAYS = 30;
export const DEFAULT_SNIPE_WINDOW_SECONDS = 120;
export const MAX_SNIPE_WINDOW_SECONDS = 3600;
export const MAX_PRICE_MINOR = 1_000_000_000_000n;

/** Every problem with a draft lot, field by field. */
export function checkDraft(
  draft: LotDraft | undefined,
  now: Date,
  minLotSeconds: number,
): FieldViolations {
  const v = new FieldViolations();
  if (!v.check(draft !== undefined, "lot", "is required")) return v;
  const d = draft!;
  const title = d.title.trim();
  v.check(
    [...title].length >= TITLE_MIN && [...title].length <= TITLE_MAX && !/\p{Cc}/u.test(title),
    "lot.title",
    `must be ${TITLE_MIN} to ${TITLE_MAX} printable characters`,
  );
  v.check(
    [...d.description].length <= DESCRIPTION_MAX,
    "lot.description",
    `must be at most ${DESCRIPTION_MAX} characters`,
  );

  const start = d.startingPrice;
  if (v.check(start !== undefined, "lot.starting_price", "is required")) {
    v.check(
      isSupportedCurrency(start!.currencyCode),
      "lot.starting_price.currency_code",
      `must be one of ${SUPPORTED_CURRENCIES.join(", ")}`,
    );
    v.check(
      start!.amountMinor >= 1n && start!.amountMinor <= MAX_PRICE_MINOR,
      "lot.starting_price.amount_minor",
      `must be 1 to ${MAX_PRICE_MINOR} minor units`,
    );
  }
  const reserve = d.reservePrice;
  if (reserve && reserve.amountMinor !== 0n) {
    v.check(
      reserve.currencyCode === start?.currencyCode,
      "lot.reserve_price.currency_code",
      "must be the starting price's currency",
    );
    v.check(
      reserve.amountMinor >= 1n &&
        reserve.amountMinor >= (start?.amountMinor ?? 0n) &&
        reserve.amountMinor <= MAX_PRICE_MINOR,
      "lot.reserve_price.amount_minor",
      "must not be below the starting price",
    );
  }

  if (v.check(d.endsAt !== undefined, "lot.ends_at", "is required")) {
    const endsAt = timestampDate(d.endsAt!).getTime();
    const earliest = now.getTime() + minLotSeconds * 1000;
    const latest = now.getTime() + MAX_LOT_DAYS * 86_400_000;
    v.check(
      endsAt >= earliest && endsAt <= latest,
      "lot.ends_at",
      `must be between ${minLotSeconds} seconds and ${MAX_LOT_DAYS} days from now`,
    );
  }
  v.check(
    d.snipeWindowSeconds >= 0 && d.snipeWindowSeconds <= MAX_SNIPE_WINDOW_SECONDS,
    "lot.snipe_window_seconds",
    `must be 0 (default ${DEFAULT_SNIPE_WINDOW_SECONDS}) to ${MAX_SNIPE_WINDOW_SECONDS}`,
  );
  return v;
}

export type CancelRefusal = "not_seller" | "not_open" | "has_bids" | "ended";
export type WatchRefusal = "not_open" | "ended";
/** Every rule's refusals, for the one table that maps them to codes. */
export type Refusal = CancelRefusal | WatchRefusal;

/** Whether this caller may withdraw this lot now. */
export function decideCancel(
  state: LotState,
  callerId: string,
  now: Date,
): CancelRefusal | "cancel" {
  if (state.sellerId !== callerId) return "not_seller";
  if (state.phase !== "open") return "not_open";
  if (now.getTime() >= state.endsAt.getTime()) return "ended";
  if (state.bids.length > 0) return "has_bids";
  return "cancel";
}

/**
 * Whether a lot may be added to a watchlist now: only while it takes bids, since a
 * closed or cancelled lot has nothing left to watch. Removing is never refused.
 */
export function decideWatch(lot: Lot, now: Date): WatchRefusal | "watch" {
  if (lot.status !== LotStatus.OPEN) return "not_open";
  if (lot.endsAt && now.getTime() >= timestampDate(lot.endsAt).getTime()) return "ended";
  return "watch";
}
