import { toBinary } from "@bufbuild/protobuf";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "@gavel/logging";
import {
  ensureNotificationsStream,
  isSafeToken,
  NOTIFY_SUBJECT_TEMPLATE,
  notifySubject,
  manageJetStream,
} from "@gavel/nats";
import { tracePublish } from "@gavel/telemetry";
import { NotificationSchema, type Notification } from "@gavel/proto/notification/v1/notifications";

/**
 * Publishes notifications to their users' subjects with Nats-Msg-Id = the notification's
 * id, which is deterministic from its cause: publishing one again within the stream's
 * duplicate window (libs/nats/src/notifications-stream.ts) stores nothing, so the
 * notifier can retry freely.
 */
export class NotificationPublisher {
  readonly #js: JetStreamClient;
  readonly #logger: Logger;

  private constructor(js: JetStreamClient, logger: Logger) {
    this.#js = js;
    this.#logger = logger;
  }

  /** Creates the NOTIFICATIONS stream, or updates it to this configuration. */
  static async open(nc: NatsConnection, replicas: number, logger: Logger) {
    await ensureNotificationsStream(await manageJetStream(nc), replicas);
    return new NotificationPublisher(jetstream(nc, { timeout: 5_000 }), logger);
  }

  /**
   * Resolves once JetStream has stored every one (or found it stored already). A user id
   * that cannot be a subject token is logged and skipped: retrying would never help, and
   * one bad id must not hold up everyone else's notifications.
   */
  async publish(notifications: readonly Notification[]): Promise<void> {
    await Promise.all(
      notifications.map(async (n) => {
        if (!isSafeToken(n.userId)) {
          this.#logger.warn(
            { user_id: n.userId, id: n.id },
            "skipping a notification to a bad user id",
          );
          return;
        }
        const subject = notifySubject(n.userId);
        await tracePublish({ subject, template: NOTIFY_SUBJECT_TEMPLATE }, (headers) =>
          this.#js.publish(subject, toBinary(NotificationSchema, n), { msgID: n.id, headers }),
        );
      }),
    );
  }
}
