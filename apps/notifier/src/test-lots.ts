import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { LotState, toMoney } from "@gavel/lot-events";
import { LotEventSchema, type LotEvent } from "@gavel/proto/lot/v1/lot_events";

/** A lot built event by event, as its stream would hold it, for the rules' unit tests. */
export class TestLot {
  readonly state: LotState;

  private constructor(state: LotState) {
    this.state = state;
  }

  static open(options: {
    at: Date;
    endsAt: Date;
    reserveMinor?: bigint;
    snipeWindowSeconds?: number;
  }): { lot: TestLot; event: LotEvent } {
    const event = create(LotEventSchema, {
      lotId: "lot-1",
      occurredAt: timestampFromDate(options.at),
      kind: {
        case: "opened",
        value: {
          sellerId: "seller",
          title: "A walnut chair",
          startingPrice: { currencyCode: "EUR", amountMinor: 10_00n },
          reservePrice: { currencyCode: "EUR", amountMinor: options.reserveMinor ?? 0n },
          endsAt: timestampFromDate(options.endsAt),
          snipeWindowSeconds: options.snipeWindowSeconds ?? 60,
        },
      },
    });
    return { lot: new TestLot(LotState.fromFirstEvent(1, event)), event };
  }

  /** A bid at `at`, extending the end to `extendTo` when given. */
  bid(
    bidderId: string,
    minor: bigint,
    at: Date,
    extendTo?: Date,
  ): { sequence: number; event: LotEvent } {
    return this.#append({
      lotId: this.state.lotId,
      occurredAt: timestampFromDate(at),
      kind: {
        case: "bidAccepted",
        value: {
          bidId: `${bidderId}-${minor}`,
          bidderId,
          amount: { currencyCode: "EUR", amountMinor: minor },
          endsAt: timestampFromDate(extendTo ?? this.state.endsAt),
          extended: extendTo !== undefined,
        },
      },
    });
  }

  /** The close bidding would append: sold to the highest bidder if the reserve is met. */
  close(at: Date): { sequence: number; event: LotEvent } {
    const highest = this.state.highestBid;
    const sold = highest !== undefined && this.state.reserveMet;
    return this.#append({
      lotId: this.state.lotId,
      occurredAt: timestampFromDate(at),
      kind: {
        case: "closed",
        value: {
          winnerId: sold ? highest.bidderId : "",
          winningBidId: highest?.bidId ?? "",
          ...(highest ? { hammerPrice: toMoney(highest.amount) } : {}),
          reserveMet: sold,
          bidCount: this.state.bids.length,
          endedAt: timestampFromDate(this.state.endsAt),
        },
      },
    });
  }

  #append(init: MessageInitShape<typeof LotEventSchema>): {
    sequence: number;
    event: LotEvent;
  } {
    const event = create(LotEventSchema, init);
    const sequence = this.state.version + 1;
    this.state.apply(sequence, event);
    return { sequence, event };
  }
}
