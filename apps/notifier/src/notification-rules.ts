import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { nextBidAbove, toMoney, type LotState } from "@gavel/lot-events";
import type { LotClosed, LotEvent } from "@gavel/proto/lot/v1/lot_events";
import { NotificationSchema, type Notification } from "@gavel/proto/notification/v1/notifications";

type Kind = MessageInitShape<typeof NotificationSchema>["kind"];

/**
 * What one lot event tells users, given the lot's state folded at least up to that event
 * (later events change nothing here: each answer reads the event's own bid or close).
 * Pure, and deterministic down to the ids, which are built from the cause (the event's
 * sequence, the lot, the user): whichever replica decides, however often, the same
 * notifications come out, and JetStream's duplicate detection keeps one of each.
 */
export function notificationsFor(
  state: LotState,
  sequence: number,
  event: LotEvent,
): Notification[] {
  switch (event.kind.case) {
    case "bidAccepted":
      return outbid(state, sequence);
    case "closed":
      return closeNotifications(state, event.kind.value, event.occurredAt);
    default:
      return [];
  }
}

/** The bidder this bid passed, told the new highest bid and what would lead again. */
function outbid(state: LotState, sequence: number): Notification[] {
  const index = state.bids.findIndex((bid) => bid.sequence === sequence);
  const bid = state.bids[index];
  const previous = state.bids[index - 1];
  if (!bid || !previous || previous.bidderId === bid.bidderId) return [];
  return [
    notificationOf(
      state,
      `outbid-${sequence}-${previous.bidderId}`,
      previous.bidderId,
      bid.placedAt,
      {
        case: "outbid",
        value: {
          highestBid: toMoney(bid.amount),
          minimumNextBid: toMoney(nextBidAbove(bid.amount)),
          endsAt: timestampFromDate(bid.endsAt),
        },
      },
    ),
  ];
}

/** The winner hears they won; the seller that the lot sold, or that it did not. */
function closeNotifications(
  state: LotState,
  closed: LotClosed,
  occurredAt: Timestamp | undefined,
): Notification[] {
  const at = occurredAt ?? closed.endedAt;
  const hammerPrice = closed.hammerPrice;
  if (closed.winnerId === "") {
    return [
      notificationOf(state, `unsold-${state.lotId}`, state.sellerId, at, {
        case: "unsold",
        value: { hadBids: closed.bidCount > 0 },
      }),
    ];
  }
  return [
    notificationOf(state, `won-${state.lotId}`, closed.winnerId, at, {
      case: "won",
      value: { hammerPrice },
    }),
    notificationOf(state, `sold-${state.lotId}`, state.sellerId, at, {
      case: "sold",
      value: { hammerPrice, winnerId: closed.winnerId },
    }),
  ];
}

/** A notification about the lot, with the fields every kind shares. */
export function notificationOf(
  state: Pick<LotState, "lotId" | "title">,
  id: string,
  userId: string,
  occurredAt: Date | Timestamp | undefined,
  kind: Kind,
): Notification {
  return create(NotificationSchema, {
    id,
    userId,
    lotId: state.lotId,
    lotTitle: state.title,
    ...(occurredAt
      ? { occurredAt: occurredAt instanceof Date ? timestampFromDate(occurredAt) : occurredAt }
      : {}),
    kind,
  });
}
