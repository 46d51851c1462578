import { RetentionPolicy, StorageType, type JetStreamManager } from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import { NOTIFICATIONS_STREAM, NOTIFY_SUBJECT_WILDCARD } from "./names.ts";
import { addOrUpdateStream } from "./stream.ts";

/**
 * How long JetStream remembers a notification's id to drop a second publish of it. A
 * second publish comes from a redelivery (seconds after a failure, the ack wait after a
 * notifier replica dies) or a closing-soon timer set again while it fires; an hour covers
 * those with a wide margin, and also a notifier that is down for minutes and restarts.
 */
const DUPLICATE_WINDOW_MS = 3600_000;
/**
 * How long a notification is kept: long enough for a user away for weeks to catch up on
 * what happened to their lots (the push gateway resumes from a sequence), and bounded,
 * since a busy bidder collects thousands.
 */
const MAX_AGE_MS = 30 * 86_400_000;

/**
 * Creates the NOTIFICATIONS stream or brings it to this one configuration. Its writer
 * (the notifier) and its reader (the push gateway, which replays gaps with direct gets)
 * both call this, so either may start first and they never fight over its settings.
 */
export async function ensureNotificationsStream(
  jsm: JetStreamManager,
  replicas: number,
): Promise<void> {
  await addOrUpdateStream(jsm, {
    name: NOTIFICATIONS_STREAM,
    subjects: [NOTIFY_SUBJECT_WILDCARD],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: replicas,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    max_age: nanos(MAX_AGE_MS),
    allow_direct: true,
  });
}
