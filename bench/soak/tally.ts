/**
 * What the soak's traffic did, counted as it goes: the bid windows' outcomes and
 * latencies, lots and invoices, push deliveries and GraphQL reads. Printed as a progress
 * line after each window and as the totals row at the end. Holds one pair of figures per
 * window, nothing per request.
 */
import { median, percentile, type LoopResult } from "@gavel/load";
import type { PushFleet } from "./push-clients.ts";
import type { GraphqlReads, LotBoard } from "./traffic.ts";

export interface TrafficSources {
  board: LotBoard;
  fleet: PushFleet;
  reads: GraphqlReads;
  /** Configured connections, to show how many of them are open. */
  websockets: number;
  sseStreams: number;
}

export class SoakTally {
  readonly bids = { accepted: 0, refused: 0, failed: 0 };
  lastBidProblem: string | undefined;
  /** Lots closed and invoices issued so far, as last counted. */
  closed = 0;
  invoices = 0;
  readonly #p50s: number[] = [];
  readonly #p99s: number[] = [];
  #lastAccepted = 0;
  readonly #sources: TrafficSources;

  constructor(sources: TrafficSources) {
    this.#sources = sources;
  }

  /** Adds a bid window; `pauseMs` is taken off each latency (workers pause before bidding). */
  addWindow(result: LoopResult, pauseMs: number): void {
    const latencies = result.latenciesMs.map((ms) => ms - pauseMs);
    this.#p50s.push(percentile(latencies, 50));
    this.#p99s.push(percentile(latencies, 99));
    this.bids.accepted += result.accepted;
    this.bids.refused += result.refused;
    this.bids.failed += result.failed;
    this.lastBidProblem = result.lastProblem ?? this.lastBidProblem;
  }

  line(elapsed: string, rss: Map<string, number>, heap: Map<string, number>): string {
    const { board, fleet, reads } = this.#sources;
    const { accepted, refused, failed } = this.bids;
    const c = fleet.counts;
    const open = fleet.open;
    const mib = (values: Map<string, number>) =>
      [...values].map(([name, value]) => `${name.split(" ")[0]} ${value.toFixed(0)}`).join(", ");
    const line =
      `[soak ${elapsed}] bids +${accepted - this.#lastAccepted} (${accepted} accepted, ` +
      `${refused} refused, ${failed} failed, p99 ${(this.#p99s.at(-1) ?? 0).toFixed(0)} ms); ` +
      `lots ${board.created} listed, ${this.closed} closed, ${this.invoices} invoices; ` +
      `ws ${open.ws}/${this.#sources.websockets} events ${c.wsLotEvents}+${c.wsUserEvents}, ` +
      `sse ${open.sse}/${this.#sources.sseStreams} events ${c.sseLotEvents}+${c.sseUserEvents}, ` +
      `drops ${c.drops}; graphql ${reads.ok} (${reads.failed} failed)\n` +
      `    RSS MiB: ${mib(rss)}\n` +
      `    live heap MiB: ${mib(heap)}`;
    this.#lastAccepted = accepted;
    return line;
  }

  totals(): Record<string, string | number> {
    const { board, fleet, reads } = this.#sources;
    const c = fleet.counts;
    return {
      "bids accepted": this.bids.accepted,
      refused: this.bids.refused,
      failed: this.bids.failed,
      "bid p50 ms": median(this.#p50s),
      "worst p99 ms": Math.max(0, ...this.#p99s),
      "lots listed": board.created,
      "lots closed": this.closed,
      invoices: this.invoices,
      "WS events lot+user": `${c.wsLotEvents}+${c.wsUserEvents}`,
      "SSE events lot+user": `${c.sseLotEvents}+${c.sseUserEvents}`,
      "push connects": c.connects,
      "push drops": c.drops,
      "GraphQL reads": reads.ok,
      "GraphQL failed": reads.failed,
    };
  }

  /** Why things went wrong, one line each, for what did. */
  problems(): string[] {
    const { fleet, reads } = this.#sources;
    const push = [...fleet.counts.problems].map(([code, n]) => `${code} x${n}`).join(", ");
    return [
      this.lastBidProblem && `last bid problem: ${this.lastBidProblem}`,
      reads.lastProblem && `last GraphQL problem: ${reads.lastProblem}`,
      push && `push problems: ${push}`,
    ].filter((line): line is string => Boolean(line));
  }
}
