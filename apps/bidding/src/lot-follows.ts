import { create } from "@bufbuild/protobuf";
import type { LotState, LotStateStore, LotStream } from "@gavel/lot-events";
import type { Logger } from "@gavel/logging";
import { isSafeToken } from "@gavel/nats";
import {
  BidSessionResponseSchema,
  FollowEnded_Reason,
  type BidSessionResponse,
} from "@gavel/proto/bidding/v1/bidding";
import { lotStateView } from "./bidding-messages.ts";
import { followEnded } from "./session-replies.ts";

export interface LotFollowsDeps {
  store: LotStateStore;
  stream: LotStream;
  logger: Logger;
  /** Where the session's messages go (its outbox): resolves once there was room. */
  send: (message: BidSessionResponse) => Promise<void>;
  /** Lots one session may follow at once. */
  maxFollows: number;
}

interface Follow {
  stop: AbortController;
  done: Promise<void>;
}

/**
 * The lots one session follows: for each, its events after a sequence, then live, each
 * once and in order (LotStream.watch), until the lot ends or the client unfollows it.
 * follow and unfollow are called one at a time (the session handles its requests in
 * order); the follows then run on their own.
 */
export class LotFollows {
  readonly #deps: LotFollowsDeps;
  readonly #follows = new Map<string, Follow>();
  #stopped = false;

  constructor(deps: LotFollowsDeps) {
    this.#deps = deps;
  }

  async follow(lotId: string, afterSequence: number): Promise<void> {
    if (!isSafeToken(lotId))
      return this.#ended(lotId, FollowEnded_Reason.INVALID_LOT_ID, "lot_id: must be a lot id");
    await this.#stop(lotId);
    const { maxFollows } = this.#deps;
    if (this.#follows.size >= maxFollows) {
      const message = `a session follows at most ${maxFollows} lots at once: unfollow one first`;
      return this.#ended(lotId, FollowEnded_Reason.TOO_MANY_FOLLOWS, message);
    }
    let state: LotState | undefined;
    try {
      state = await this.#deps.store.load(lotId);
    } catch (err) {
      return this.#unavailable(lotId, err);
    }
    if (this.#stopped) return;
    if (!state)
      return this.#ended(lotId, FollowEnded_Reason.LOT_NOT_FOUND, `no lot with id ${lotId}`);
    await this.#deps.send(
      create(BidSessionResponseSchema, {
        kind: { case: "followStarted", value: { lotId, state: lotStateView(state) } },
      }),
    );
    // An ended lot whose last event the client has seen has nothing more to send.
    if (state.phase !== "open" && afterSequence >= state.version)
      return this.#endedWithLot(lotId, state.phase);
    const follow: Follow = { stop: new AbortController(), done: Promise.resolve() };
    follow.done = this.#run(lotId, afterSequence, follow);
    this.#follows.set(lotId, follow);
  }

  /** Stops the lot's follow, if any; no event of it is sent after this answer. */
  async unfollow(lotId: string): Promise<void> {
    await this.#stop(lotId);
    await this.#ended(lotId, FollowEnded_Reason.UNFOLLOWED, "unfollowed");
  }

  /** Stops every follow and waits until none can send anything more. */
  async stopAll(): Promise<void> {
    this.#stopped = true;
    const follows = [...this.#follows.values()];
    this.#follows.clear();
    for (const follow of follows) follow.stop.abort();
    await Promise.all(follows.map((f) => f.done));
  }

  async #run(lotId: string, afterSequence: number, follow: Follow): Promise<void> {
    const { signal } = follow.stop;
    try {
      // Waiting for room holds the watch, and with it the lot's consumer: a long replay
      // goes at the pace the client reads.
      for await (const stored of this.#deps.stream.watch(lotId, afterSequence, signal)) {
        if (signal.aborted) return;
        await this.#deps.send(
          create(BidSessionResponseSchema, {
            kind: {
              case: "lotEvent",
              value: { lotId, sequence: BigInt(stored.sequence), event: stored.event },
            },
          }),
        );
        const kind = stored.event.kind.case;
        if (kind === "closed" || kind === "cancelled") return await this.#endedWithLot(lotId, kind);
      }
      // The watch ends by itself only when its consumer went away: follow again.
      if (!signal.aborted) await this.#unavailable(lotId, new Error("the lot's event feed ended"));
    } catch (err) {
      if (!signal.aborted) await this.#unavailable(lotId, err);
    } finally {
      if (this.#follows.get(lotId) === follow) this.#follows.delete(lotId);
    }
  }

  async #stop(lotId: string): Promise<void> {
    const follow = this.#follows.get(lotId);
    if (!follow) return;
    this.#follows.delete(lotId);
    follow.stop.abort();
    await follow.done;
  }

  async #endedWithLot(lotId: string, phase: "closed" | "cancelled"): Promise<void> {
    if (phase === "closed")
      return this.#ended(lotId, FollowEnded_Reason.LOT_CLOSED, "the lot closed");
    return this.#ended(lotId, FollowEnded_Reason.LOT_CANCELLED, "the lot was cancelled");
  }

  async #unavailable(lotId: string, err: unknown): Promise<void> {
    this.#deps.logger.warn({ err, lot_id: lotId }, "a bid session's follow failed");
    return this.#ended(
      lotId,
      FollowEnded_Reason.UNAVAILABLE,
      "the lot's events cannot be read now: follow again shortly, after the last sequence seen",
    );
  }

  async #ended(lotId: string, reason: FollowEnded_Reason, message: string): Promise<void> {
    await this.#deps.send(followEnded(lotId, reason, message));
  }
}
