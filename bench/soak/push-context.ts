/**
 * What the soak's push subscribers share: who they act as, where they connect, the open
 * lots to follow, and the running totals of what they saw.
 */

export interface PushUser {
  id: string;
  token: string;
}

/** What the subscribers saw, as running totals. */
export class PushCounts {
  wsLotEvents = 0;
  wsUserEvents = 0;
  sseLotEvents = 0;
  sseUserEvents = 0;
  /** Connections opened (first ones, reconnections and moves to another lot). */
  connects = 0;
  /** Connections the server ended or that failed, not closed by the bench. */
  drops = 0;
  /** Error frames and refused streams, by code or status. */
  readonly problems = new Map<string, number>();

  problem(code: string): void {
    this.problems.set(code, (this.problems.get(code) ?? 0) + 1);
  }
}

export interface FleetContext {
  pushUrl: string;
  counts: PushCounts;
  /** The lots open now (the sellers' latest listing). */
  openLots(): readonly string[];
}

/** How long a dropped client waits before it reconnects (and resumes). */
export const RECONNECT_MS = 1_000;
