import { randomUUID } from "node:crypto";
import { incrementAbove } from "@gavel/lot-events/bid-increments";
import { EdgeHttp, type HttpAnswer } from "@gavel/load";
import { Tally } from "@gavel/testing";

export interface FaultLot {
  id: string;
  sellerId: string;
  /** The end it was listed with (ms); bids in its last second extend it. */
  endsAt: number;
}

export interface Bidder {
  id: string;
  token: string;
}

/**
 * One bid as its client saw it: acknowledged (201, with the stream sequence), refused by
 * the auction's rules (409 with a reason), or unknown (no final answer before the client
 * gave up retrying: it may or may not have been stored, but never twice).
 */
export interface BidRecord {
  bidId: string;
  lotId: string;
  bidderId: string;
  amountMinor: number;
  outcome: "acked" | "refused" | "unknown";
  sequence?: number;
  reason?: string;
}

/** How long a client keeps retrying one bid (same bid id) before it gives up. */
const RETRY_FOR_MS = 20_000;
const RETRY_PAUSE_MS = 200;
/** In a lot's last stretch, one bid per lot this often, so the lot can close. */
const LAST_STRETCH_MS = 1_500;
/** Answers that tell a client to try again: the edge's 503, a contention 409, throttling. */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

interface LotPlay {
  lot: FaultLot;
  /** The lowest amount worth bidding, from what the client saw. */
  nextMinor: number;
  leader?: string;
  closed: boolean;
  lastTry: number;
}

/**
 * Bidders placing bids through the REST edge as careful clients do during an outage: a bid
 * without a final answer is retried with the same `bid_id`, so it is accepted at most once;
 * late bids on each lot check that nothing is accepted after the close.
 * Why: docs/reliability.md#faults-under-load
 */
export class BiddingLoad {
  readonly bids: BidRecord[] = [];
  /** Answers that said "retry" (status and problem type, or the network error's code). */
  readonly retryable = new Tally();
  /** Answers no client should ever get: a 500, a 201 for another bid, a bad problem. */
  readonly wrong: string[] = [];
  readonly #http: EdgeHttp;
  readonly #lots: LotPlay[];
  readonly #bidders: Bidder[];
  readonly #workers: Array<Promise<void>> = [];
  #stopped = false;

  constructor(edgeUrl: string, lots: FaultLot[], bidders: Bidder[], startingMinor: number) {
    this.#http = new EdgeHttp(edgeUrl, 32);
    this.#bidders = bidders;
    this.#lots = lots.map((lot) => ({ lot, nextMinor: startingMinor, closed: false, lastTry: 0 }));
  }

  start(workers: number): void {
    for (let i = 0; i < workers; i++) this.#workers.push(this.#work());
  }

  /** Resolves once every lot was refused as ended (or stop() was called) and workers are idle. */
  async finished(): Promise<void> {
    await Promise.all(this.#workers);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.finished();
    this.#http.close();
  }

  count(outcome: BidRecord["outcome"]): number {
    return this.bids.filter((b) => b.outcome === outcome).length;
  }

  async #work(): Promise<void> {
    while (!this.#stopped) {
      if (this.#lots.every((l) => l.closed)) return;
      const play = this.#pick(Date.now());
      if (!play) {
        await sleep(50);
        continue;
      }
      const bidder = pickOne(this.#bidders.filter((b) => b.id !== play.leader));
      const step = incrementAbove(BigInt(play.nextMinor));
      const amountMinor = play.nextMinor + Number(step) * Math.floor(Math.random() * 3);
      play.nextMinor = amountMinor + Number(step);
      await this.#place(play, bidder!, amountMinor);
    }
  }

  /** A lot to bid on now: any open one, but in its last stretch only when its turn came. */
  #pick(now: number): LotPlay | undefined {
    const open = this.#lots.filter(
      (l) =>
        !l.closed && (now < l.lot.endsAt - LAST_STRETCH_MS || now - l.lastTry > LAST_STRETCH_MS),
    );
    const play = pickOne(open);
    if (play) play.lastTry = now;
    return play;
  }

  async #place(play: LotPlay, bidder: Bidder, amountMinor: number): Promise<void> {
    const bid: BidRecord = {
      bidId: randomUUID(),
      lotId: play.lot.id,
      bidderId: bidder.id,
      amountMinor,
      outcome: "unknown",
    };
    this.bids.push(bid);
    const giveUpAt = Date.now() + RETRY_FOR_MS;
    while (Date.now() < giveUpAt) {
      let answer: HttpAnswer;
      try {
        answer = await this.#http.send("POST", `/v1/lots/${play.lot.id}/bids`, {
          body: { amount: { currency: "EUR", amount_minor: amountMinor }, bid_id: bid.bidId },
          headers: { authorization: `Bearer ${bidder.token}` },
        });
      } catch (err) {
        this.retryable.add(networkError(err));
        await sleep(RETRY_PAUSE_MS);
        continue;
      }
      const verdict = this.#judge(answer, bid, play);
      if (verdict === "final") return;
      if (verdict === "wrong") return;
      await sleep(RETRY_PAUSE_MS);
    }
  }

  #judge(answer: HttpAnswer, bid: BidRecord, play: LotPlay): "final" | "retry" | "wrong" {
    const { status } = answer;
    if (status === 201) {
      const body = parse<{ id?: string; sequence?: number; amount?: { amount_minor?: number } }>(
        answer,
      );
      if (body?.id !== bid.bidId || body.amount?.amount_minor !== bid.amountMinor) {
        this.wrong.push(`201 for another bid than ${bid.bidId}: ${answer.body.slice(0, 200)}`);
        return "wrong";
      }
      bid.outcome = "acked";
      bid.sequence = body.sequence;
      play.leader = bid.bidderId;
      return "final";
    }
    const problem = parse<{
      type?: string;
      reason?: string;
      minimum_next_bid?: { amount_minor: number };
    }>(answer);
    if (!problem?.type) {
      this.wrong.push(`${status} without a problem: ${answer.body.slice(0, 200)}`);
      return "wrong";
    }
    if (RETRY_STATUSES.has(status) || (status === 409 && problem.type.endsWith("aborted"))) {
      this.retryable.add(`${status} ${lastSegment(problem.type)}`);
      return "retry";
    }
    if (status === 409 && problem.reason) {
      bid.outcome = "refused";
      bid.reason = problem.reason;
      if (problem.reason === "lot_ended" || problem.reason === "lot_cancelled") play.closed = true;
      const minimum = problem.minimum_next_bid?.amount_minor;
      if (minimum !== undefined) play.nextMinor = Math.max(play.nextMinor, minimum);
      return "final";
    }
    this.wrong.push(`${status} ${problem.type}: ${answer.body.slice(0, 200)}`);
    return "wrong";
  }
}

function parse<T>(answer: HttpAnswer): T | undefined {
  try {
    return answer.json<T>();
  } catch {
    return undefined;
  }
}

function networkError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : err instanceof Error ? err.message : String(err);
}

const lastSegment = (type: string) => type.slice(type.lastIndexOf("/") + 1);

function pickOne<T>(items: readonly T[]): T | undefined {
  return items[Math.floor(Math.random() * items.length)];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
