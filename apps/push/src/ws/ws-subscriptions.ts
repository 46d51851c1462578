import type { Logger } from "@gavel/logging";
import type { ConnectionLimits } from "../access/connection-limits.ts";
import type { FeedHub } from "../feeds/feed-hub.ts";
import { followedChannel } from "../feeds/followed-channels.ts";
import { Subscription, type EventSink } from "../feeds/subscription.ts";
import type { Presence } from "../presence.ts";
import type { MessageOutcome } from "../tracing/message-tracing.ts";
import { serverMessage } from "./protocol.ts";
import type { WsOutbox } from "./ws-outbox.ts";

/** What a socket's subscriptions need of its replica. */
export interface SubscriptionDeps {
  hub: FeedHub;
  presence: Presence;
  limits: ConnectionLimits;
  logger: Logger;
}

/**
 * The channels one socket follows, by name: who may follow what, the limit per socket,
 * a new `after` replacing the old position, and the lot's presence while it is watched.
 * Answers go to the socket's outbox.
 */
export class WsSubscriptions {
  readonly #sink: EventSink;
  readonly #outbox: WsOutbox;
  readonly #deps: SubscriptionDeps;
  readonly #userId: string | undefined;
  readonly #byName = new Map<string, Subscription>();

  constructor(sink: EventSink, outbox: WsOutbox, deps: SubscriptionDeps, userId?: string) {
    this.#sink = sink;
    this.#outbox = outbox;
    this.#deps = deps;
    this.#userId = userId;
  }

  /** Answers `subscribed` once the channel is live, or an error the client can act on. */
  async subscribe(id: string, name: string, after: number | undefined): Promise<MessageOutcome> {
    const channel = followedChannel(name);
    if (!channel) {
      const hint = 'channels are "lot:<lot id>" and "user:<your user id>"';
      return this.#outbox.answerError(id, "unknown_channel", `no channel ${name}; ${hint}`);
    }
    if (channel.kind === "user" && channel.id !== this.#userId) {
      const [code, text] = this.#userId
        ? (["permission_denied", "you can follow only your own notifications"] as const)
        : (["unauthenticated", "sign in to follow notifications"] as const);
      return this.#outbox.answerError(id, code, text);
    }
    const { maxSubscriptions } = this.#deps.limits;
    const existing = this.#byName.get(name);
    if (!existing && this.#byName.size >= maxSubscriptions) {
      const text = `at most ${maxSubscriptions} channels per connection`;
      return this.#outbox.answerError(id, "too_many_subscriptions", text);
    }
    if (existing) this.unsubscribe(name); // a new `after` replaces the old position
    const subscription = new Subscription(this.#deps.hub, channel, after ?? 0, this.#sink);
    this.#byName.set(channel.name, subscription); // the shared string, not the message's
    if (channel.kind === "lot") this.#deps.presence.lotWatched(channel.id);
    try {
      const started = await subscription.start(after !== undefined);
      // The subscription may have been replaced or the socket closed meanwhile.
      if (this.#byName.get(name) !== subscription) {
        return { answer: undefined, replayed: started.replayed };
      }
      this.#outbox.send(serverMessage.subscribed(id, name, started.after));
      return { answer: "subscribed", replayed: started.replayed };
    } catch (err) {
      this.unsubscribe(name);
      this.#deps.logger.warn({ err, channel: name }, "subscribing failed");
      return this.#outbox.answerError(id, "unavailable", "could not follow the channel; retry");
    }
  }

  unsubscribe(name: string): void {
    const subscription = this.#byName.get(name);
    if (!subscription) return;
    subscription.stop();
    this.#byName.delete(name);
    if (subscription.channel.kind === "lot")
      this.#deps.presence.lotUnwatched(subscription.channel.id);
  }

  /** Stops following every channel: the socket has closed. */
  unsubscribeAll(): void {
    for (const name of [...this.#byName.keys()]) this.unsubscribe(name);
  }
}
