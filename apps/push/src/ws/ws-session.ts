import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import type { Client } from "@connectrpc/connect";
import type { RawData, WebSocket } from "ws";
import { InvalidTokenError, type Caller, type TokenVerifier } from "@gavel/auth";
import type { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { forwardBid } from "./bid-forwarding.ts";
import type { ChannelEvent } from "../feeds/channels.ts";
import type { ExpiryWheel } from "../expiry-wheel.ts";
import {
  traceMessage,
  type MessageOutcome,
  type MessageSource,
} from "../tracing/message-tracing.ts";
import { Close, parseClientMessage, serverMessage, type ClientMessage } from "./protocol.ts";
import { TokenBucket } from "../access/token-bucket.ts";
import { holderOf } from "../access/request-identity.ts";
import type { EventSink } from "../feeds/subscription.ts";
import type { TicketHolder } from "../access/tickets.ts";
import type { TraceClaims } from "../tracing/trace-claims.ts";
import { WsOutbox } from "./ws-outbox.ts";
import { WsSubscriptions, type SubscriptionDeps } from "./ws-subscriptions.ts";

export interface SessionDeps extends SubscriptionDeps {
  verifier: TokenVerifier;
  bidding: Client<typeof BiddingService>;
  replica: string;
  /** The replica's one table of who may continue which trace. */
  claims: TraceClaims;
}

/** What every session of a replica shares besides its dependencies: one object for all. */
export interface SessionHooks {
  /** Where a session opened with a credential waits for it to expire. */
  expiries: ExpiryWheel;
  /** Runs once for each session, when its socket has closed. */
  onClosed(session: WsSession): void;
}

/** A session's socket, which points back at the session for the shared listeners. */
const SESSION = Symbol("ws session");
type OwnedWebSocket = WebSocket & { [SESSION]?: WsSession };

/**
 * Who opened the socket: a token (may bid), a ticket (may read), or nobody (lots only).
 * A socket or stream opened with a credential ends when the credential expires.
 */
export type SocketIdentity =
  { kind: "token"; caller: Caller } | ({ kind: "ticket" } & TicketHolder) | { kind: "anonymous" };

/**
 * One WebSocket connection: the protocol's messages in, events and answers out through
 * one bounded outbox, heartbeats, and its subscriptions and presence cleaned up however
 * it ends. An idle session keeps no closure or timer of its own: its socket's listeners
 * are shared by all sessions, the replica's ticker pings it and its expiry wheel ends it.
 */
export class WsSession implements EventSink {
  readonly id = randomUUID();
  readonly #ws: OwnedWebSocket;
  readonly #deps: SessionDeps & SessionHooks;
  readonly #outbox: WsOutbox;
  readonly #bucket: TokenBucket;
  readonly #subscriptions: WsSubscriptions;
  readonly #userId: string | undefined;
  #token: string | undefined;
  #alive = true;
  #closed = false;

  /** `socket`: the one the server upgraded to `ws`, which event frames are written to. */
  constructor(
    ws: WebSocket,
    socket: Duplex,
    identity: SocketIdentity,
    deps: SessionDeps & SessionHooks,
  ) {
    this.#ws = ws;
    this.#deps = deps;
    const holder = holderOf(identity);
    this.#userId = holder?.userId;
    this.#token = identity.kind === "token" ? identity.caller.token : undefined;
    this.#outbox = new WsOutbox(ws, socket, deps.limits.sendBufferBytes, () =>
      this.close(Close.tryAgainLater, "slow consumer: reconnect and resume from your last seq"),
    );
    this.#bucket = new TokenBucket(deps.limits.messagesPerSecond);
    this.#subscriptions = new WsSubscriptions(this, this.#outbox, deps, this.#userId);

    this.#ws[SESSION] = this;
    ws.on("message", WsSession.#onWsMessage);
    ws.on("pong", WsSession.#onWsPong);
    ws.on("close", WsSession.#onWsClose);
    ws.on("error", WsSession.#onWsError);

    if (this.#userId) deps.presence.userConnected(this.#userId);
    const expiresAtMs = holder?.sessionExpiresAtMs;
    this.#outbox.send(serverMessage.welcome(this.id, this.#userId, deps.replica, expiresAtMs));
    if (expiresAtMs !== undefined) this.#endAt(expiresAtMs);
  }

  get transport(): "websocket" {
    return "websocket";
  }

  sendEvent(event: ChannelEvent): void {
    this.#outbox.send(event.frame);
  }

  fail(reason: string, err?: unknown): void {
    if (err) this.#deps.logger.warn({ err, connection: this.id }, reason);
    this.close(Close.tryAgainLater, reason);
  }

  /** Closes with a code and reason (at most 123 bytes by the protocol). */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ws.close(code, reason.slice(0, 123));
    // A peer that does not answer the close handshake is cut off.
    setTimeout(() => this.#ws.terminate(), 5_000).unref();
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (this.#closed) return;
    if (!this.#bucket.take()) {
      this.close(Close.policy, `more than ${this.#deps.limits.messagesPerSecond} messages/s`);
      return;
    }
    if (isBinary) {
      this.close(Close.policy, "binary frames are not part of the protocol; send JSON text");
      return;
    }
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString()
      : Buffer.from(data as Buffer).toString();
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.#outbox.send(serverMessage.error(parsed.id, "invalid_message", parsed.reason));
      return;
    }
    void this.#handle(parsed.message).catch((err: unknown) => {
      this.#deps.logger.error({ err, connection: this.id }, "handling a message failed");
      this.#outbox.send(
        serverMessage.error(parsed.message.id, "internal", "an internal error occurred"),
      );
    });
  }

  async #handle(message: ClientMessage): Promise<void> {
    switch (message.type) {
      case "subscribe":
        return traceMessage(message, this.#source(), () =>
          this.#subscriptions.subscribe(message.id, message.channel, message.after),
        );
      case "unsubscribe": {
        this.#subscriptions.unsubscribe(message.channel);
        this.#outbox.send(serverMessage.unsubscribed(message.id, message.channel));
        return;
      }
      case "bid":
        return traceMessage(message, this.#source(), () => this.#bid(message));
      case "authenticate":
        return this.#authenticate(message.id, message.token);
      case "ping":
        this.#outbox.send(serverMessage.pong(message.id));
        return;
    }
  }

  async #bid(message: Extract<ClientMessage, { type: "bid" }>): Promise<MessageOutcome> {
    if (!this.#token) {
      const text = this.#userId
        ? "a ticket only reads; send an authenticate message with your access token to bid"
        : "sign in to bid: connect with your access token";
      return this.#outbox.answerError(message.id, "unauthenticated", text);
    }
    try {
      await this.#deps.verifier.verify(this.#token);
    } catch (err) {
      if (!(err instanceof InvalidTokenError)) throw err;
      const text = `${err.message}; send an authenticate message with a fresh token`;
      return this.#outbox.answerError(message.id, "unauthenticated", text);
    }
    const outcome = await forwardBid(this.#deps.bidding, this.#token, message);
    if (!outcome.ok)
      return this.#outbox.answerError(message.id, outcome.code, outcome.message, outcome.detail);
    this.#outbox.send(serverMessage.ack(message.id, outcome.result));
    return { answer: "ack" };
  }

  /** Answers a request with an error, and says so for the request's span. */

  async #authenticate(id: string, token: string): Promise<void> {
    let caller: Caller;
    try {
      caller = await this.#deps.verifier.verify(token);
    } catch (err) {
      if (!(err instanceof InvalidTokenError)) throw err;
      this.#outbox.send(serverMessage.error(id, "unauthenticated", err.message));
      return;
    }
    if (this.#userId !== undefined && caller.userId !== this.#userId) {
      const text = "the token is another user's; open a new connection to switch users";
      this.#outbox.send(serverMessage.error(id, "permission_denied", text));
      return;
    }
    if (this.#userId === undefined) {
      this.#outbox.send(
        serverMessage.error(id, "permission_denied", "connect with a token to be a user"),
      );
      return;
    }
    this.#token = caller.token;
    this.#endAt(caller.expiresAtMs);
    const expiresAt = new Date(caller.expiresAtMs).toISOString();
    this.#outbox.send(serverMessage.ack(id, { userId: caller.userId, expiresAt }));
  }

  /**
   * The socket's user is who its credential proves, for as long as it does: it closes
   * when the credential expires, unless an `authenticate` with a fresh token came first.
   */
  #endAt(expiresAtMs: number): void {
    this.#deps.expiries.add(this, expiresAtMs);
  }

  /** Called by the replica's expiry wheel once the socket's credential expired. */
  expire(): void {
    this.close(
      Close.unauthorized,
      "your access token expired: reconnect with a fresh one and resume",
    );
  }

  /** Who the session's traced messages come from (trace-claims.ts). */
  #source(): MessageSource {
    const owner = this.#userId ? `user:${this.#userId}` : `connection:${this.id}`;
    return { owner, replica: this.#deps.replica, claims: this.#deps.claims };
  }

  /** Called every ping interval (one Ticker for all sessions): drops a peer that went quiet. */
  tick(): void {
    if (!this.#alive) {
      this.#ws.terminate(); // missed a whole ping interval: a dead peer
      return;
    }
    this.#alive = false;
    this.#ws.ping();
  }

  /** Drops the socket at once, without the close handshake: a drain's last step. */
  terminate(): void {
    this.#ws.terminate();
  }

  #cleanUp(): void {
    this.#closed = true;
    this.#deps.expiries.delete(this);
    this.#subscriptions.unsubscribeAll();
    if (this.#userId) this.#deps.presence.userDisconnected(this.#userId);
    this.#deps.onClosed(this);
  }

  static #onWsMessage(this: OwnedWebSocket, data: RawData, isBinary: boolean): void {
    this[SESSION]!.#onMessage(data, isBinary);
  }

  static #onWsPong(this: OwnedWebSocket): void {
    this[SESSION]!.#alive = true;
  }

  static #onWsClose(this: OwnedWebSocket): void {
    this[SESSION]!.#cleanUp();
  }

  static #onWsError(this: OwnedWebSocket, err: Error): void {
    const session = this[SESSION]!;
    session.#deps.logger.debug({ err, connection: session.id }, "socket error");
  }
}
