import { randomUUID } from "node:crypto";
import { LOT_TITLES, nextBid, pick } from "./bid-choice.ts";
import type { Config } from "./config.ts";
import type { RestLot, RestMoney, UserClient } from "./edge-client.ts";
import type { Progress } from "./progress.ts";

/**
 * The demo's market: a seller who keeps `lots` lots open, and bidders who bid on them at
 * a steady overall rate. Each step is one small REST exchange, so the traffic stays
 * polite to the edge's rate limits and easy to read in traces.
 */
export class Traffic {
  readonly #config: Config;
  readonly #seller: UserClient;
  readonly #bidders: UserClient[];
  readonly #progress: Progress;
  #lots: RestLot[] = [];
  /** The minimum next bid the API named when it refused one, per lot. */
  readonly #minimums = new Map<string, RestMoney>();
  /** Which of our bidders leads each lot: they would only be told they lead already. */
  readonly #leaders = new Map<string, string>();
  #titles = 0;

  constructor(config: Config, seller: UserClient, bidders: UserClient[], progress: Progress) {
    this.#config = config;
    this.#seller = seller;
    this.#bidders = bidders;
    this.#progress = progress;
  }

  /** Lists the seller's open lots and tops them up to the configured number. */
  async keepLotsOpen(): Promise<void> {
    this.#lots = await this.#seller.openLotsOf(this.#seller.id);
    while (this.#lots.length < this.#config.GAVEL_LOADGEN_LOTS) {
      const title = LOT_TITLES[this.#titles++ % LOT_TITLES.length]!;
      const seconds = this.#config.GAVEL_LOADGEN_LOT_SECONDS;
      const lot = await this.#seller.createLot(
        {
          title,
          description: "Listed by the load generator (apps/loadgen).",
          starting_price: {
            currency: "EUR",
            amount_minor: (5 + Math.floor(Math.random() * 20)) * 100,
          },
          ends_at: new Date(Date.now() + seconds * 1000).toISOString(),
          // A window that late bids often hit, so the page shows extensions.
          snipe_window_seconds: Math.min(30, Math.max(10, Math.floor(seconds / 6))),
        },
        randomUUID(),
      );
      this.#lots.push(lot);
      this.#progress.lotsCreated++;
    }
    this.#progress.lotsOpen = this.#lots.length;
  }

  /** One bid by a random bidder on a random open lot, one step above what it last saw. */
  async bidOnce(): Promise<void> {
    const lot = pick(this.#lots);
    const bidder = pick(this.#bidders.filter((b) => b.id !== this.#leaders.get(lot?.id ?? "")));
    if (!lot || !bidder) return;
    const amount = nextBid(lot, this.#minimums.get(lot.id));
    this.#minimums.delete(lot.id);
    const outcome = await bidder.bid(lot.id, amount);
    if (outcome.ok) {
      lot.highest_bid = amount;
      this.#leaders.set(lot.id, bidder.id);
      this.#progress.bidsAccepted++;
      return;
    }
    const { status, title, minimum_next_bid: minimum } = outcome.problem;
    this.#progress.lastProblem = `${status} ${title ?? ""}`.trim();
    if (status === 429 || status >= 500) {
      this.#progress.bidsFailed++;
      return;
    }
    this.#progress.bidsRefused++;
    // Someone (a person on the page, say) bid meanwhile: start from where the lot is now.
    if (minimum) this.#minimums.set(lot.id, minimum);
  }
}
