/** What the traffic did, counted, and printed as one line every few seconds. */
export class Progress {
  lotsCreated = 0;
  lotsOpen = 0;
  bidsAccepted = 0;
  /** Refused by the rules: too low, lot closed, already the highest bidder. */
  bidsRefused = 0;
  /** Rate-limited (429) or failed (network, 5xx). */
  bidsFailed = 0;
  /** Why the last bid was refused or failed (a problem's title), shown with the counts. */
  lastProblem: string | undefined;
  readonly #started = Date.now();
  #lastAccepted = 0;
  #lastAt = Date.now();

  line(now = Date.now()): string {
    const seconds = Math.max(1, (now - this.#lastAt) / 1000);
    const rate = (this.bidsAccepted - this.#lastAccepted) / seconds;
    this.#lastAccepted = this.bidsAccepted;
    this.#lastAt = now;
    const elapsed = Math.round((now - this.#started) / 1000);
    return (
      `[loadgen ${elapsed}s] lots open ${this.lotsOpen} (created ${this.lotsCreated}), ` +
      `bids accepted ${this.bidsAccepted} (${rate.toFixed(1)}/s), refused ${this.bidsRefused}, ` +
      `failed ${this.bidsFailed}${this.lastProblem ? ` (last: ${this.lastProblem})` : ""}`
    );
  }
}
