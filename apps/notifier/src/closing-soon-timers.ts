import { RetentionPolicy, StorageType, jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { Empty, type NatsConnection } from "@nats-io/nats-core";
import {
  addOrUpdateStream,
  CLOSING_SOON_AT_WILDCARD,
  CLOSING_SOON_DUE_WILDCARD,
  closingSoonAtSubject,
  closingSoonDueSubject,
  NOTIFIER_SCHEDULES_STREAM,
  manageJetStream,
} from "@gavel/nats";

/**
 * How long a fired timer's message is kept: it is handled within seconds, and a day
 * covers a notifier that is down for hours; by then the lot has long closed.
 */
const DUE_TTL = "24h";

/**
 * Each lot's closing-soon timer, held by JetStream (a message schedule on the lot's
 * `closing-soon.at` subject, fired to its `closing-soon.due` subject) rather than by a
 * notifier process, so restarts and replica counts neither lose nor repeat one:
 * docs/architecture.md#closing-soon-timers-held-by-jetstream
 */
export class ClosingSoonTimers {
  readonly #js: JetStreamClient;

  private constructor(js: JetStreamClient) {
    this.#js = js;
  }

  /**
   * Creates the stream that holds the timers, or updates it to this configuration.
   * Schedules can only be allowed on a new or empty stream, which this one was.
   */
  static async open(nc: NatsConnection, replicas: number): Promise<ClosingSoonTimers> {
    await addOrUpdateStream(await manageJetStream(nc), {
      name: NOTIFIER_SCHEDULES_STREAM,
      subjects: [CLOSING_SOON_AT_WILDCARD, CLOSING_SOON_DUE_WILDCARD],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      num_replicas: replicas,
      allow_msg_schedules: true,
      allow_msg_ttl: true,
    });
    return new ClosingSoonTimers(jetstream(nc, { timeout: 5_000 }));
  }

  /** Sets the lot's timer to fire at `at`; a time already past fires it now. */
  async set(lotId: string, at: Date): Promise<void> {
    const due = closingSoonDueSubject(lotId);
    if (at.getTime() <= Date.now()) {
      await this.#js.publish(due, Empty, { ttl: DUE_TTL });
      return;
    }
    await this.#js.publish(closingSoonAtSubject(lotId), Empty, {
      schedule: { specification: at, target: due, ttl: DUE_TTL },
    });
  }
}
