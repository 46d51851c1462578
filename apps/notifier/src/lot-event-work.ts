import { fromBinary } from "@bufbuild/protobuf";
import { DeliverPolicy } from "@nats-io/jetstream";
import type { LotStateStore } from "@gavel/lot-events";
import {
  LOT_EVENTS_STREAM,
  LOT_SUBJECT_WILDCARD,
  LOT_SUBJECT_TEMPLATE,
  NOTIFIER_CONSUMER,
  lotIdFromSubject,
  Unprocessable,
  type DurableWork,
} from "@gavel/nats";
import { LotEventSchema, type LotEvent } from "@gavel/proto/lot/v1/lot_events";
import type { ClosingSoonTimers } from "./closing-soon-timers.ts";
import { timerAfter } from "./closing-soon-rules.ts";
import type { NotificationPublisher } from "./notification-publisher.ts";
import { notificationsFor } from "./notification-rules.ts";

export interface LotEventDeps {
  states: LotStateStore;
  publisher: NotificationPublisher;
  timers: ClosingSoonTimers;
  closingSoonLeadMs: number;
}

/**
 * Every lot event, once across the notifier's replicas (NOTIFIER_CONSUMER): its
 * notifications, then the lot's closing-soon timer when the event sets one. The lot's
 * state is loaded fresh from its stream, up to this event at least, so it holds the event
 * whichever replica appended it. A consumer created for the first time starts with new events: a notifier
 * deployed onto a running system does not tell users about every bid of the past.
 */
export function lotEventWork(deps: LotEventDeps): DurableWork {
  return {
    stream: LOT_EVENTS_STREAM,
    consumer: NOTIFIER_CONSUMER,
    filterSubject: LOT_SUBJECT_WILDCARD,
    subjectTemplate: LOT_SUBJECT_TEMPLATE,
    deliverPolicy: DeliverPolicy.New,
    async handle(message) {
      const event = decode(message.data);
      const lotId = lotIdFromSubject(message.subject);
      // At least as of this event: a replica's read may lag the stream's leader.
      const state = await deps.states.load(lotId, message.seq);
      if (!state) return;
      await deps.publisher.publish(notificationsFor(state, message.seq, event));
      const timer = timerAfter(state, event, deps.closingSoonLeadMs, new Date());
      if (timer) await deps.timers.set(lotId, timer);
    },
  };
}

function decode(data: Uint8Array): LotEvent {
  try {
    return fromBinary(LotEventSchema, data);
  } catch (err) {
    throw new Unprocessable("not a lot event", { cause: err });
  }
}
