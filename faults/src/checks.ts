import type { LotEvent } from "@gavel/proto/lot/v1/lot_events";
import type { BidRecord } from "./bidding-load.ts";
import type { Observation } from "./readers.ts";

/** One message of a subject, as stored. */
export interface Stored<T> {
  seq: number;
  value: T;
}

/** What a round left in storage and in its clients, for the checks. */
export interface RoundEvidence {
  /** Each round lot's events, by lot id, in stream order. */
  lots: Map<string, Array<Stored<LotEvent>>>;
  bids: BidRecord[];
  /** What each follower of a channel (`lot:<id>`, `user:<id>`) received. */
  followers: Array<{ name: string; channel: string; seqs: number[] }>;
  /** The notifications stored for the round's users (all of them are the round's). */
  notifications: Map<string, Array<Stored<StoredNotification>>>;
  /** The invoices stored, one entry per message: lot id and buyer. */
  invoices: Array<{ lotId: string; buyerId: string; hammerMinor: bigint }>;
  /** Highest bids as REST and GraphQL reads answered them during the round. */
  reads: Observation[];
}

export interface StoredNotification {
  id: string;
  /** Closing-soon notifications depend on timers, not on the events: not counted. */
  closingSoon: boolean;
}

/** Counts for the report: what was acknowledged, stored, delivered, duplicated, lost. */
export interface Counts {
  acked: number;
  refused: number;
  unknown: number;
  stored: number;
  duplicated: number;
  lost: number;
  /** Events delivered to followers, and followers that missed or repeated one. */
  delivered: number;
  followersWrong: number;
  notifications: { expected: number; stored: number; duplicated: number; lost: number };
  invoices: { expected: number; stored: number; duplicated: number; lost: number };
  sold: number;
  reads: number;
}

export interface Verdict {
  counts: Counts;
  /** Every broken guarantee, in words; empty when the round held. */
  violations: string[];
}

/**
 * The guarantees, checked against what storage holds (the lots' streams, the
 * notifications, the invoices) and what clients were told and received: no acknowledged
 * bid lost or doubled, valid auctions, every event to every follower once and in order,
 * notifications and invoices exactly once, no read ahead of an accepted bid.
 * The list: docs/reliability.md#faults-under-load
 */
export function checkRound(evidence: RoundEvidence): Verdict {
  const violations: string[] = [];
  const counts: Counts = {
    acked: 0,
    refused: 0,
    unknown: 0,
    stored: 0,
    duplicated: 0,
    lost: 0,
    delivered: 0,
    followersWrong: 0,
    notifications: { expected: 0, stored: 0, duplicated: 0, lost: 0 },
    invoices: { expected: 0, stored: 0, duplicated: 0, lost: 0 },
    sold: 0,
    reads: evidence.reads.length,
  };
  const storedBids = new Map<string, number[]>();
  const amounts = new Map<string, Set<number>>();
  const expectedNotifications: string[] = [];
  const soldLots = new Map<string, { winnerId: string; hammerMinor: bigint }>();

  for (const [lotId, events] of evidence.lots) {
    const auction = checkAuction(lotId, events, violations);
    counts.stored += auction.bids.length;
    amounts.set(lotId, new Set(auction.amounts));
    for (const bid of auction.bids) {
      const seqs = storedBids.get(bid.bidId) ?? [];
      seqs.push(bid.seq);
      storedBids.set(bid.bidId, seqs);
    }
    expectedNotifications.push(...auction.notifications);
    if (auction.sold) soldLots.set(lotId, auction.sold);
  }
  for (const [bidId, seqs] of storedBids) {
    if (seqs.length > 1) {
      counts.duplicated += seqs.length - 1;
      violations.push(`bid ${bidId} is stored ${seqs.length} times (sequences ${seqs.join(", ")})`);
    }
  }

  for (const bid of evidence.bids) {
    counts[bid.outcome]++;
    const seqs = storedBids.get(bid.bidId) ?? [];
    if (bid.outcome === "acked") {
      if (seqs.length === 0) {
        counts.lost++;
        violations.push(`acknowledged bid ${bid.bidId} (sequence ${bid.sequence}) is not stored`);
      } else if (seqs[0] !== bid.sequence) {
        violations.push(
          `bid ${bid.bidId} was acknowledged at sequence ${bid.sequence} but stored at ${seqs[0]}`,
        );
      }
    } else if (bid.outcome === "refused" && seqs.length > 0) {
      violations.push(`bid ${bid.bidId} was refused (${bid.reason}) but is stored`);
    }
  }

  for (const follower of evidence.followers) {
    const [kind, id = ""] = follower.channel.split(":");
    const stored = kind === "lot" ? evidence.lots.get(id) : evidence.notifications.get(id);
    const expected = (stored ?? []).map((e) => e.seq);
    counts.delivered += follower.seqs.length;
    if (!sameList(follower.seqs, expected)) {
      counts.followersWrong++;
      violations.push(`${follower.name} received ${describeDifference(follower.seqs, expected)}`);
    }
  }

  compareExactlyOnce(
    "notification",
    expectedNotifications,
    [...evidence.notifications.values()]
      .flat()
      .flatMap((n) => (n.value.closingSoon ? [] : [n.value.id])),
    counts.notifications,
    violations,
  );
  for (const read of evidence.reads) {
    if (read.highestMinor !== null && !amounts.get(read.lotId)?.has(read.highestMinor))
      violations.push(`${read.via} showed lot ${read.lotId} at ${read.highestMinor}, never bid`);
  }
  counts.sold = soldLots.size;
  compareExactlyOnce(
    "invoice for lot",
    [...soldLots.keys()],
    evidence.invoices.map((i) => i.lotId),
    counts.invoices,
    violations,
  );
  for (const invoice of evidence.invoices) {
    const sold = soldLots.get(invoice.lotId);
    if (sold && (sold.winnerId !== invoice.buyerId || sold.hammerMinor !== invoice.hammerMinor))
      violations.push(`the invoice for lot ${invoice.lotId} does not match its close`);
  }
  return { counts, violations };
}

interface Auction {
  bids: Array<{ bidId: string; seq: number }>;
  amounts: number[];
  notifications: string[];
  sold?: { winnerId: string; hammerMinor: bigint };
}

/** One lot's stream as an auction, and the notifications its events call for. */
function checkAuction(
  lotId: string,
  events: Array<Stored<LotEvent>>,
  violations: string[],
): Auction {
  const auction: Auction = { bids: [], amounts: [], notifications: [] };
  const problem = (what: string) => violations.push(`lot ${lotId}: ${what}`);
  if (events[0]?.value.kind.case !== "opened") problem("the stream does not start with opened");
  const sellerId =
    events[0]?.value.kind.case === "opened" ? events[0].value.kind.value.sellerId : "";
  let last: { bidderId: string; bidId: string; minor: bigint; seq: number } | undefined;
  let closedAt: number | undefined;
  for (const { seq, value } of events) {
    if (closedAt !== undefined)
      problem(`event ${seq} (${value.kind.case}) after the close at ${closedAt}`);
    if (value.kind.case === "bidAccepted") {
      const bid = value.kind.value;
      const minor = bid.amount?.amountMinor ?? 0n;
      if (last && minor <= last.minor)
        problem(`bid at ${seq} does not raise the one at ${last.seq}`);
      if (last && last.bidderId !== bid.bidderId)
        auction.notifications.push(`outbid-${seq}-${last.bidderId}`);
      auction.bids.push({ bidId: bid.bidId, seq });
      auction.amounts.push(Number(minor));
      last = { bidderId: bid.bidderId, bidId: bid.bidId, minor, seq };
    } else if (value.kind.case === "closed") {
      closedAt = seq;
      const closed = value.kind.value;
      if (!last) {
        if (closed.winnerId !== "") problem("closed with a winner and no bids");
        auction.notifications.push(`unsold-${lotId}`);
        continue;
      }
      if (closed.winnerId !== last.bidderId || closed.winningBidId !== last.bidId)
        problem(`closed with winner ${closed.winnerId}, not the last bidder ${last.bidderId}`);
      if ((closed.hammerPrice?.amountMinor ?? -1n) !== last.minor)
        problem(
          `hammer price ${closed.hammerPrice?.amountMinor} is not the last bid ${last.minor}`,
        );
      if (closed.bidCount !== auction.bids.length)
        problem(`closed with bid count ${closed.bidCount}, ${auction.bids.length} stored`);
      auction.notifications.push(`won-${lotId}`, `sold-${lotId}`);
      auction.notifications.push(`invoice-${lotId}-buyer`, `invoice-${lotId}-seller`);
      auction.sold = { winnerId: closed.winnerId, hammerMinor: last.minor };
    } else if (value.kind.case === "opened" && seq !== events[0]?.seq) {
      problem(`opened again at ${seq}`);
    }
  }
  if (closedAt === undefined) problem("never closed");
  if (!sellerId) problem("no seller");
  return auction;
}

function compareExactlyOnce(
  what: string,
  expected: string[],
  actual: string[],
  counts: { expected: number; stored: number; duplicated: number; lost: number },
  violations: string[],
): void {
  const seen = new Map<string, number>();
  for (const id of actual) seen.set(id, (seen.get(id) ?? 0) + 1);
  counts.expected = expected.length;
  counts.stored = actual.length;
  const wanted = new Set(expected);
  for (const id of expected) {
    if (!seen.has(id)) {
      counts.lost++;
      violations.push(`${what} ${id} is missing`);
    }
  }
  for (const [id, n] of seen) {
    if (n > 1) {
      counts.duplicated += n - 1;
      violations.push(`${what} ${id} is stored ${n} times`);
    }
    if (!wanted.has(id)) violations.push(`${what} ${id} was not called for`);
  }
}

function sameList(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** "3 of 5 events; missing 4, 5", "repeated 7", "12 after 11", "not stored 99". */
function describeDifference(got: number[], expected: number[]): string {
  const seen = new Set<number>();
  const repeats = got.filter((s) => (seen.has(s) ? true : (seen.add(s), false)));
  const wanted = new Set(expected);
  const missing = expected.filter((s) => !seen.has(s));
  const extra = [...seen].filter((s) => !wanted.has(s));
  const disorder = got.findIndex((s, i) => i > 0 && s <= got[i - 1]!);
  const parts = [`${expected.length - missing.length} of ${expected.length} events`];
  if (missing.length) parts.push(`missing ${missing.slice(0, 5).join(", ")}`);
  if (extra.length) parts.push(`not stored ${extra.slice(0, 5).join(", ")}`);
  if (repeats.length) parts.push(`repeated ${repeats.slice(0, 5).join(", ")}`);
  if (disorder > 0) parts.push(`${got[disorder]} after ${got[disorder - 1]}`);
  return parts.join("; ");
}
