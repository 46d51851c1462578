import { nextBid, pick } from "./bid-choice.ts";
import type { RestLot, RestMoney, UserClient } from "./edge-client.ts";

/** What the market needs of a bidder: REST's UserClient, or any client that bids alike. */
export type Bidder = Pick<UserClient, "id" | "bid">;
import type { Attempt } from "./progress.ts";

/**
 * Simulated bidders on a set of open lots, through the REST edge. Each bid is one step
 * above what the market last saw of the lot, or the minimum the API named when it refused
 * one, so most bids are real raises even when people (or other workers) bid meanwhile.
 * The demo bids at a steady pace; benchmarks call bidOnce from many workers at once.
 */
export class Market {
  #lots: RestLot[] = [];
  readonly #bidders: Bidder[];
  /** The minimum next bid the API named when it refused one, per lot. */
  readonly #minimums = new Map<string, RestMoney>();
  /** Which of our bidders leads each lot: they would only be told they lead already. */
  readonly #leaders = new Map<string, string>();

  constructor(bidders: Bidder[], lots: RestLot[] = []) {
    this.#bidders = bidders;
    this.#lots = lots;
  }

  get lots(): readonly RestLot[] {
    return this.#lots;
  }

  /** The lots to bid on from now (the demo's list after it topped it up). */
  set lots(lots: RestLot[]) {
    this.#lots = lots;
  }

  /** One bid by a random bidder, not the lot's leader, on a random lot. Never throws. */
  async bidOnce(): Promise<Attempt> {
    const lot = pick(this.#lots);
    const leader = lot && this.#leaders.get(lot.id);
    const bidder = pick(this.#bidders.filter((b) => b.id !== leader));
    if (!lot || !bidder) return { outcome: "failed", problem: "no lot or bidder to bid with" };
    const amount = nextBid(lot, this.#minimums.get(lot.id));
    this.#minimums.delete(lot.id);
    let answer: Awaited<ReturnType<UserClient["bid"]>>;
    try {
      answer = await bidder.bid(lot.id, amount);
    } catch (err) {
      return { outcome: "failed", problem: err instanceof Error ? err.message : String(err) };
    }
    if (answer.ok) {
      if ((lot.highest_bid?.amount_minor ?? 0) < amount.amount_minor) lot.highest_bid = amount;
      this.#leaders.set(lot.id, bidder.id);
      return { outcome: "accepted" };
    }
    const { status, title, minimum_next_bid: minimum } = answer.problem;
    const problem = `${status} ${title ?? ""}`.trim();
    if (status !== 409) return { outcome: "failed", problem };
    // Someone bid meanwhile: start from where the lot is now.
    if (minimum) this.#raise(lot.id, minimum);
    return { outcome: "refused", problem };
  }

  #raise(lotId: string, minimum: RestMoney): void {
    const known = this.#minimums.get(lotId);
    if (!known || known.amount_minor < minimum.amount_minor) this.#minimums.set(lotId, minimum);
  }
}
