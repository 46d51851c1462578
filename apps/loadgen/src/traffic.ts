import { randomUUID } from "node:crypto";
import { LOT_TITLES, Market, type RestLot, type UserClient, type Progress } from "@gavel/load";
import type { Config } from "./config.ts";

/**
 * The demo's market: a seller who keeps `lots` short lots open, and bidders who bid on
 * them at a steady overall rate. Each step is one small REST exchange, so the traffic
 * stays polite to the edge's rate limits and easy to read in traces.
 */
export class Traffic {
  readonly #config: Config;
  readonly #seller: UserClient;
  readonly #market: Market;
  readonly #progress: Progress;
  #titles = 0;

  constructor(config: Config, seller: UserClient, bidders: UserClient[], progress: Progress) {
    this.#config = config;
    this.#seller = seller;
    this.#market = new Market(bidders);
    this.#progress = progress;
    this.#progress.lots = { open: 0, created: 0 };
  }

  /** The bidders and the lots they bid on (a closed-loop run calls its bidOnce itself). */
  get market(): Market {
    return this.#market;
  }

  /** Lists the seller's open lots and tops them up to the configured number. */
  async keepLotsOpen(): Promise<void> {
    const lots = await this.#seller.openLotsOf(this.#seller.id);
    while (lots.length < this.#config.GAVEL_LOADGEN_LOTS) {
      lots.push(await this.#listLot());
      this.#progress.lots!.created++;
    }
    this.#market.lots = lots;
    this.#progress.lots!.open = lots.length;
  }

  /** One bid by a random bidder on a random open lot. */
  async bidOnce(): Promise<void> {
    this.#progress.record(await this.#market.bidOnce());
  }

  #listLot(): Promise<RestLot> {
    const title = LOT_TITLES[this.#titles++ % LOT_TITLES.length]!;
    const seconds = this.#config.GAVEL_LOADGEN_LOT_SECONDS;
    return this.#seller.createLot(
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
  }
}
