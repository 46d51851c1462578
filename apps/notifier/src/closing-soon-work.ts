import { DeliverPolicy } from "@nats-io/jetstream";
import type { LotStateStore } from "@gavel/lot-events";
import {
  CLOSING_SOON_DUE_WILDCARD,
  CLOSING_SOON_DUE_TEMPLATE,
  isSafeToken,
  lotIdFromDueSubject,
  NOTIFIER_CLOSING_SOON_CONSUMER,
  NOTIFIER_SCHEDULES_STREAM,
  Unprocessable,
  type DurableWork,
} from "@gavel/nats";
import { closingSoonNotifications, decideClosingSoon } from "./closing-soon-rules.ts";
import type { ClosingSoonTimers } from "./closing-soon-timers.ts";
import type { LotWatchers } from "./lot-watchers.ts";
import type { NotificationPublisher } from "./notification-publisher.ts";

/**
 * The least a timer that fired early is set ahead by: when this replica's clock is
 * behind the NATS server's, the moment looks still to come, and setting the timer to it
 * would have the server fire it again at once, over and over.
 */
const EARLY_RETRY_MS = 1_000;

export interface ClosingSoonDeps {
  states: LotStateStore;
  watchers: LotWatchers;
  publisher: NotificationPublisher;
  timers: ClosingSoonTimers;
  closingSoonLeadMs: number;
}

/**
 * The fired closing-soon timers (see ClosingSoonTimers), once across the replicas: the
 * lot's watchers and bidders as of now hear it closes soon, if it is still open and its
 * closing-soon moment has come; if an extension moved the moment, the timer is set again.
 */
export function closingSoonWork(deps: ClosingSoonDeps): DurableWork {
  return {
    stream: NOTIFIER_SCHEDULES_STREAM,
    consumer: NOTIFIER_CLOSING_SOON_CONSUMER,
    filterSubject: CLOSING_SOON_DUE_WILDCARD,
    subjectTemplate: CLOSING_SOON_DUE_TEMPLATE,
    deliverPolicy: DeliverPolicy.All,
    async handle(message) {
      const lotId = lotIdFromDueSubject(message.subject);
      if (!isSafeToken(lotId)) throw new Unprocessable(`not a lot id: ${JSON.stringify(lotId)}`);
      const state = await deps.states.load(lotId);
      if (!state) return;
      const now = new Date();
      const decision = decideClosingSoon(state, deps.closingSoonLeadMs, now);
      if (decision.kind === "later") {
        const at = Math.max(decision.at.getTime(), now.getTime() + EARLY_RETRY_MS);
        await deps.timers.set(lotId, new Date(at));
      } else if (decision.kind === "now") {
        const watchers = await deps.watchers.of(lotId);
        await deps.publisher.publish(closingSoonNotifications(state, decision.at, watchers));
      }
    },
  };
}
