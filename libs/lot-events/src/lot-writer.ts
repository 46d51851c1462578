import { setTimeout as sleep } from "node:timers/promises";
import type { LotEvent } from "@gavel/proto/lot/v1/lot_events";
import { KeyedMutex } from "./keyed-mutex.ts";
import type { LotState } from "./lot-state.ts";
import type { LotStateStore } from "./lot-state-store.ts";
import { VersionConflictError, type LotStream } from "./lot-stream.ts";

/** What a decision step returns: an event to append, or a final answer. */
export type Step<T> =
  { append: LotEvent; msgId: string; then: (state: LotState) => T } | { done: T };

const MAX_ATTEMPTS = 30;

/**
 * The base of every "no" a decision gives (a bid too low, a cancel by a stranger).
 * The write loop confirms such a "no" on a fresh read before it reaches the caller.
 */
export class LotRefusal extends Error {
  override name = "LotRefusal";
}

export class LotNotFoundError extends LotRefusal {
  override name = "LotNotFoundError";
  constructor(lotId: string) {
    super(`no lot with id ${lotId}`);
  }
}

/** The lot kept changing under every attempt; the caller may retry the same request. */
export class LotContentionError extends Error {
  override name = "LotContentionError";
  constructor(lotId: string) {
    super(`lot ${lotId} is changing too fast; retry the same request`);
  }
}

/**
 * The optimistic-concurrency loop every write to a lot goes through: decide on the state
 * (the cached one first), append with its version as the expected last sequence, and on a
 * conflict re-read and decide again; a "no" is only given on a fresh read.
 * docs/architecture.md#the-lot-stream
 */
export class LotWriter {
  readonly #store: LotStateStore;
  readonly #stream: LotStream;
  readonly #locks = new KeyedMutex();

  constructor(store: LotStateStore, stream: LotStream) {
    this.#store = store;
    this.#stream = stream;
  }

  /**
   * Runs decide on the lot's state until its event is appended or it returns done.
   * decide throws a LotRefusal to refuse; a refusal decided on a cached state is checked
   * again on a fresh read before it reaches the caller.
   */
  write<T>(lotId: string, decide: (state: LotState) => Step<T>): Promise<T> {
    return this.#locks.run(lotId, async () => {
      let state = this.#store.cached(lotId);
      let fresh = false;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (!state) {
          state = await this.#store.load(lotId);
          fresh = true;
          if (!state) throw new LotNotFoundError(lotId);
        }
        let step: Step<T>;
        try {
          step = decide(state);
        } catch (err) {
          if (err instanceof LotRefusal && !fresh) {
            state = undefined;
            continue;
          }
          throw err;
        }
        if ("done" in step) return step.done;
        try {
          const result = await this.#stream.append(step.append, {
            expectedVersion: state.version,
            msgId: step.msgId,
          });
          if (!result.duplicate) {
            this.#store.record(state, result.sequence, step.append);
            return step.then(state);
          }
          // Appended before under this msgId: a fresh read holds it, and deciding again
          // answers the way the first call was answered.
        } catch (err) {
          if (!(err instanceof VersionConflictError)) throw err;
          await sleep(Math.random() * Math.min(2 ** attempt, 50));
        }
        state = undefined;
      }
      throw new LotContentionError(lotId);
    });
  }
}
