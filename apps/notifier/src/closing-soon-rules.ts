import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { LotState } from "@gavel/lot-events";
import type { LotEvent } from "@gavel/proto/lot/v1/lot_events";
import type { Notification } from "@gavel/proto/notification/v1/notifications";
import { notificationOf } from "./notification-rules.ts";

/**
 * The lot's one closing-soon moment: the first time it was within `leadMs` of its end, from
 * the history of its end, so later anti-sniping extensions do not repeat it. Undefined for a
 * lot listed with less than the lead left.
 * docs/architecture.md#closing-soon-timers-held-by-jetstream
 */
export function closingSoonAt(state: LotState, leadMs: number): Date | undefined {
  let end = state.listedEndsAt.getTime();
  if (state.openedAt.getTime() >= end - leadMs) return undefined;
  for (const bid of state.bids) {
    if (bid.placedAt.getTime() >= end - leadMs) break;
    end = bid.endsAt.getTime();
  }
  return new Date(end - leadMs);
}

export type ClosingSoonDecision =
  /** Closed, cancelled, or listed with less than the lead left. */
  | { kind: "never" }
  | { kind: "later"; at: Date }
  /** Within the lead since `at`, and still open: tell them now. */
  | { kind: "now"; at: Date };

export function decideClosingSoon(state: LotState, leadMs: number, now: Date): ClosingSoonDecision {
  const at = closingSoonAt(state, leadMs);
  if (state.phase !== "open" || !at) return { kind: "never" };
  return at.getTime() > now.getTime() ? { kind: "later", at } : { kind: "now", at };
}

/**
 * When an event sets the lot's closing-soon timer, if it does. The listing sets it; a
 * bid that extended the end can move it later. A listing handled after its moment (the
 * notifier was away) sets it to now; a bid handled after it sets nothing, since the
 * timer the listing set has fired or will.
 */
export function timerAfter(
  state: LotState,
  event: LotEvent,
  leadMs: number,
  now: Date,
): Date | undefined {
  const extended = event.kind.case === "bidAccepted" && event.kind.value.extended;
  if (event.kind.case !== "opened" && !extended) return undefined;
  const decision = decideClosingSoon(state, leadMs, now);
  if (decision.kind === "later") return decision.at;
  return decision.kind === "now" && event.kind.case === "opened" ? now : undefined;
}

/**
 * "Closing soon" to everyone who watches the lot or has bid on it, once each: the id is
 * the lot and the user, whatever the timer that fired.
 */
export function closingSoonNotifications(
  state: LotState,
  at: Date,
  watchers: Iterable<string>,
): Notification[] {
  const users = new Set([...watchers, ...state.bids.map((bid) => bid.bidderId)]);
  return [...users].sort().map((userId) =>
    notificationOf(state, `closing-${state.lotId}-${userId}`, userId, at, {
      case: "closingSoon",
      value: { endsAt: timestampFromDate(state.endsAt) },
    }),
  );
}
