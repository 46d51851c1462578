import { LotState } from "./lot-state.ts";
import type { LotStream } from "./lot-stream.ts";
import type { LotEvent } from "@gavel/proto/lot/v1/lot_events";

/** How often, and how patiently, a read behind a known sequence is made again (~1 s in all). */
const CATCH_UP_ATTEMPTS = 8;
const CATCH_UP_PAUSE_MS = 25;

/**
 * Lot states folded from their streams, kept in memory as a cache only: load() always
 * asks the stream for events after the cached version, so a replica that restarts, or
 * falls behind another replica's appends, catches up before it decides anything.
 * Least recently used lots are dropped past maxLots.
 */
export class LotStateStore {
  readonly #states = new Map<string, LotState>();
  readonly #stream: LotStream;
  readonly #maxLots: number;

  constructor(stream: LotStream, maxLots = 10_000) {
    this.#stream = stream;
    this.#maxLots = maxLots;
  }

  /**
   * The lot as of its latest stored event; undefined when it has none. With `atLeast`, read
   * again briefly until the state reaches that sequence (a direct get may come from a replica
   * behind the leader), then an error the caller retries later.
   * docs/reliability.md#what-the-fault-suite-found
   */
  async load(lotId: string, atLeast = 0): Promise<LotState | undefined> {
    for (let attempt = 1; ; attempt++) {
      const state = await this.#read(lotId);
      if ((state?.version ?? 0) >= atLeast) return state;
      if (attempt === CATCH_UP_ATTEMPTS) {
        throw new Error(
          `lot ${lotId}: the stream read is still behind sequence ${atLeast} ` +
            `(at ${state?.version ?? 0}); retry later`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, CATCH_UP_PAUSE_MS * attempt));
    }
  }

  async #read(lotId: string): Promise<LotState | undefined> {
    let state = this.#states.get(lotId);
    for await (const stored of this.#stream.readAfter(lotId, state?.version ?? 0)) {
      if (state) state.apply(stored.sequence, stored.event);
      else state = LotState.fromFirstEvent(stored.sequence, stored.event);
    }
    if (state) this.#remember(state);
    return state;
  }

  /** The cached state, possibly behind the stream; for decisions an append will check. */
  cached(lotId: string): LotState | undefined {
    return this.#states.get(lotId);
  }

  /** Folds in an event this process appended itself, saving a read. */
  record(state: LotState | undefined, sequence: number, event: LotEvent): LotState {
    if (state) {
      state.apply(sequence, event);
    } else {
      state = LotState.fromFirstEvent(sequence, event);
    }
    this.#remember(state);
    return state;
  }

  #remember(state: LotState): void {
    this.#states.delete(state.lotId);
    this.#states.set(state.lotId, state);
    if (this.#states.size > this.#maxLots) {
      const oldest = this.#states.keys().next().value;
      if (oldest !== undefined) this.#states.delete(oldest);
    }
  }
}
