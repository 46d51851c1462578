import { Code, ConnectError } from "@connectrpc/connect";
import { onExpiry, type Caller } from "@gavel/auth";
import type { LotStateStore, LotStream, LotWriter } from "@gavel/lot-events";
import type { Logger } from "@gavel/logging";
import type {
  BidSessionRequest,
  BidSessionResponse,
  PlaceBidRequest,
} from "@gavel/proto/bidding/v1/bidding";
import { toConnectError } from "./bid-error-codes.ts";
import { placeRequestedBid } from "./bid-request.ts";
import { LotFollows } from "./lot-follows.ts";
import { bidAccepted, bidRefused, requestRefused } from "./session-replies.ts";
import { SessionOutbox } from "./session-outbox.ts";

export interface BidSessionLimits {
  /** Messages queued for a client; past them, senders wait for the client to read. */
  queueSize: number;
  /** How long a full queue may go untouched before the session ends (not reading). */
  stallMs: number;
  /** Lots one session may follow at once. */
  maxFollows: number;
}

export interface BidSessionDeps {
  writer: LotWriter;
  store: LotStateStore;
  stream: LotStream;
  logger: Logger;
  limits: BidSessionLimits;
}

const TOKEN_EXPIRED =
  "your token expired: sign in again, reconnect with the new token, and follow each lot " +
  "again with the last sequence you saw of it as after_sequence";

const NOT_READING =
  "the client is not reading its messages: reconnect, and follow each lot again " +
  "with the last sequence you saw of it as after_sequence";

/**
 * BiddingService.BidSession for one bidder: its requests handled one at a time, in the
 * order sent (so its bids are placed one after the other), each answered in the stream,
 * while the lots it follows send their events on their own. Every message goes through
 * one bounded outbox whose reader paces them all; see the RPC's comment in bidding.proto
 * for the whole contract.
 */
export function bidSession(
  deps: BidSessionDeps,
  caller: Caller,
  requests: AsyncIterable<BidSessionRequest>,
  signal: AbortSignal,
): AsyncGenerator<BidSessionResponse> {
  return new BidSession(deps, caller.userId, caller.expiresAtMs).run(requests, signal);
}

class BidSession {
  readonly #deps: BidSessionDeps;
  readonly #bidderId: string;
  readonly #outbox: SessionOutbox<BidSessionResponse>;
  readonly #follows: LotFollows;
  readonly #tokenExpiresAtMs: number;

  constructor(deps: BidSessionDeps, bidderId: string, tokenExpiresAtMs: number) {
    this.#deps = deps;
    this.#bidderId = bidderId;
    this.#tokenExpiresAtMs = tokenExpiresAtMs;
    this.#outbox = new SessionOutbox(deps.limits.queueSize, deps.limits.stallMs, () => {
      this.#deps.logger.warn(
        { bidder_id: this.#bidderId },
        "a bid session's client is not reading: ended it",
      );
      return new ConnectError(NOT_READING, Code.ResourceExhausted);
    });
    this.#follows = new LotFollows({
      ...deps,
      maxFollows: deps.limits.maxFollows,
      send: (message) => this.#send(message),
    });
  }

  async *run(
    requests: AsyncIterable<BidSessionRequest>,
    signal: AbortSignal,
  ): AsyncGenerator<BidSessionResponse> {
    // The call's abort: the client went away, or the server is shutting down (UNAVAILABLE).
    const onAbort = () => this.#outbox.fail(ConnectError.from(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) onAbort();
    // The token was checked when the call began; the session ends when it expires, as a
    // new call with it would be refused, and the client comes back with a fresh one (the
    // push gateway's sockets end the same way unless an `authenticate` renews them).
    const cancelExpiry = onExpiry(this.#tokenExpiresAtMs, () =>
      this.#outbox.fail(new ConnectError(TOKEN_EXPIRED, Code.Unauthenticated)),
    );
    this.#read(requests).catch((err: unknown) => {
      // A request stream cut by a client that went away is no server fault.
      if (!signal.aborted && !(err instanceof ConnectError))
        this.#deps.logger.error({ err }, "a bid session failed");
      this.#outbox.fail(err);
    });
    try {
      yield* this.#outbox.drain();
    } finally {
      cancelExpiry();
      signal.removeEventListener("abort", onAbort);
      await this.#follows.stopAll();
    }
  }

  async #read(requests: AsyncIterable<BidSessionRequest>): Promise<void> {
    for await (const req of requests) {
      if (!this.#outbox.open) return;
      await this.#handle(req);
    }
    // The client half-closed: every request is answered; end once the follows stop.
    await this.#follows.stopAll();
    this.#outbox.close();
  }

  async #handle(req: BidSessionRequest): Promise<void> {
    switch (req.kind.case) {
      case "follow":
        return this.#follows.follow(req.kind.value.lotId, Number(req.kind.value.afterSequence));
      case "unfollow":
        return this.#follows.unfollow(req.kind.value.lotId);
      case "placeBid":
        return this.#send(await placeSessionBid(this.#deps.writer, this.#bidderId, req.kind.value));
      default: {
        const message = "a request sets one of follow, unfollow or place_bid";
        return this.#send(requestRefused(new ConnectError(message, Code.InvalidArgument)));
      }
    }
  }

  /** Waits for room in the outbox: a client that reads slowly slows its session down. */
  async #send(message: BidSessionResponse): Promise<void> {
    await this.#outbox.send(message);
  }
}

/** The outcome of one bid: PlaceBid's answer, or its error as a refusal. */
async function placeSessionBid(
  writer: LotWriter,
  bidderId: string,
  req: PlaceBidRequest,
): Promise<BidSessionResponse> {
  try {
    return bidAccepted(await placeRequestedBid(writer, bidderId, req));
  } catch (err) {
    const mapped = toConnectError(err);
    if (!(mapped instanceof ConnectError)) throw err;
    return bidRefused(req, mapped);
  }
}
