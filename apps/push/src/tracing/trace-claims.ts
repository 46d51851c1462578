/** The owner of a trace this replica delivered an event of. */
const SERVER_OWNER = "server";

/** Why a client's trace context is not taken as its message's parent. */
export type ClaimRefusal = "server_trace" | "another_owner";

/** Entries kept: a few MB of trace ids at most. */
const DEFAULT_CAPACITY = 65_536;

/**
 * Who may continue which trace, so that a client can never put its spans in another
 * user's trace: a client's trace id is its parent only when unknown here or already its
 * owner's, and a trace this replica read an event of is the server's. Bounded, oldest
 * first out: docs/architecture.md#who-may-continue-a-trace
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
