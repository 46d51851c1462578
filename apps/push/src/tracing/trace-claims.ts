/** The owner of a trace this replica delivered an event of. */
const SERVER_OWNER = "server";

/** Why a client's trace context is not taken as its message's parent. */
export type ClaimRefusal = "server_trace" | "another_owner";

/** Entries kept: a few MB of trace ids at most. */
const DEFAULT_CAPACITY = 65_536;

/**
 * Who may continue which trace, so that a client can never put its spans in another
 * user's trace. Trace ids are no secret (every lot event frame carries its `traceId`),
 * so a client context is taken as a parent only when its trace id is unknown here or
 * already claimed by the same owner (a user, or an anonymous connection); taking it
 * claims it. A trace this replica delivered or replayed an event of (or, with shared
 * feeds, passed over) belongs to the server, whoever claimed it before: no client may
 * join it. A replica knows only the events it reads: with per-channel feeds, those of the
 * channels followed there. One table per replica, bounded: the oldest entries go first
 * (a forgotten trace id is unknown again).
 */
export class TraceClaims {
  readonly #owners = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  /** Trace ids with a known owner. */
  get size(): number {
    return this.#owners.size;
  }

  /** Records that the trace caused an event this replica decoded: nobody's to join. */
  markServer(traceId: string): void {
    this.#set(traceId, SERVER_OWNER);
  }

  /** Claims the trace for `owner` if it may parent work on it; else says why not. */
  claim(traceId: string, owner: string): ClaimRefusal | undefined {
    const current = this.#owners.get(traceId);
    if (current === undefined) {
      this.#set(traceId, owner);
      return undefined;
    }
    if (current === owner) return undefined;
    return current === SERVER_OWNER ? "server_trace" : "another_owner";
  }

  #set(traceId: string, owner: string): void {
    this.#owners.set(traceId, owner); // an existing key keeps its place in the order
    if (this.#owners.size > this.#capacity) {
      this.#owners.delete(this.#owners.keys().next().value!);
    }
  }
}
