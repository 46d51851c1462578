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
 * Each lot's closing-soon timer, held by JetStream rather than by a notifier process.
 *
 * The durable consumer gives each lot event to one replica only, so a timer kept in that
 * replica's memory would die with it, and a replica started later would know nothing of
 * it. Keeping one in every replica instead (each following every lot) would lean on
 * duplicate detection, which forgets after its window, to send once. A JetStream message
 * schedule (nats-server 2.12+; the pinned server is 2.14) is stored, replicated and fired
 * by the server: a message on `gavel.notifier.closing-soon.at.<lot>` carrying
 * `Nats-Schedule: @at <time>` makes the server publish
 * `gavel.notifier.closing-soon.due.<lot>` at that time. A schedule's subject is its
 * identity, so setting a lot's timer again replaces it: a lot has at most one. The due
 * messages feed a second durable consumer shared by the replicas (closingSoonWork), so
 * each is handled by one replica, acknowledged once its notifications are stored, and
 * redelivered if that replica dies; restarts lose nothing, since nothing lives in memory.
 *
 * The lot's listing sets the timer to the lot's closing-soon moment (closingSoonAt), and
 * a bid that extends the end before that moment moves it. When it fires, the handler
 * decides again from the lot's state (a moved end sets it again, a closed lot gets
 * nothing), so a timer that fires early, late or twice is harmless, and the
 * notifications' ids (`closing-<lot>-<user>`) make a second send one JetStream drops.
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
