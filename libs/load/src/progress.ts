/** What happened to one request: the outcome, and for a refusal or failure, why. */
export interface Attempt {
  /** accepted: done (a 201); refused: by the rules, a normal outcome (a 409: too low, lot
   * closed, already the highest bidder); failed: rate-limited, 5xx, network, timeout. */
  outcome: "accepted" | "refused" | "failed";
  /** A problem's title, or an error's message. */
  problem?: string;
}

/** What the traffic did, counted, and printed as one line every few seconds. */
export class Progress {
  /** Set by the demo, which keeps lots open; a benchmark's lines leave lots out. */
  lots: { open: number; created: number } | undefined;
  readonly counts = { accepted: 0, refused: 0, failed: 0 };
  /** Why the last request was refused or failed, shown with the counts. */
  lastProblem: string | undefined;
  readonly #label: string;
  readonly #noun: string;
  readonly #started = Date.now();
  #lastAccepted = 0;
  #lastAt = Date.now();

  constructor(label = "loadgen", noun = "bids") {
    this.#label = label;
    this.#noun = noun;
  }

  record(attempt: Attempt): void {
    this.counts[attempt.outcome]++;
    if (attempt.problem) this.lastProblem = attempt.problem;
  }

  get requests(): number {
    return this.counts.accepted + this.counts.refused + this.counts.failed;
  }

  line(now = Date.now()): string {
    const seconds = Math.max(1, (now - this.#lastAt) / 1000);
    const { accepted, refused, failed } = this.counts;
    const rate = (accepted - this.#lastAccepted) / seconds;
    this.#lastAccepted = accepted;
    this.#lastAt = now;
    const elapsed = Math.round((now - this.#started) / 1000);
    const lots = this.lots ? `lots open ${this.lots.open} (created ${this.lots.created}), ` : "";
    return (
      `[${this.#label} ${elapsed}s] ${lots}${this.#noun} accepted ${accepted} (${rate.toFixed(1)}/s), ` +
      `refused ${refused}, failed ${failed}${this.lastProblem ? ` (last: ${this.lastProblem})` : ""}`
    );
  }
}
