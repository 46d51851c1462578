import { fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstream,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
} from "@nats-io/jetstream";
import { nanos, type MsgHdrs, type NatsConnection } from "@nats-io/nats-core";
import {
  LOT_EVENTS_STREAM,
  LOT_SUBJECT_TEMPLATE,
  LOT_SUBJECT_WILDCARD,
  addOrUpdateStream,
  lotSubject,
  readSubject,
  CONSUME_EXPIRES_MS,
  manageJetStream,
} from "@gavel/nats";
import { tracePublish } from "@gavel/telemetry";
import { type LotEvent, LotEventSchema } from "@gavel/proto/lot/v1/lot_events";

/** How long JetStream remembers message ids to drop duplicate appends. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

export interface StoredLotEvent {
  /** The event's stream sequence: the lot's version once it is folded in. */
  sequence: number;
  event: LotEvent;
  storedAt: Date;
  headers: MsgHdrs | undefined;
}

export interface AppendOptions {
  /** The sequence of the lot's last event the writer decided on; 0 for a new lot. */
  expectedVersion: number;
  /** Becomes the JetStream message id: a second append with it is dropped. */
  msgId: string;
  headers?: MsgHdrs;
}

export interface AppendResult {
  sequence: number;
  /** True when msgId was appended before; sequence is then the first append's. */
  duplicate: boolean;
}

/** Another writer appended to the lot after the version the caller decided on. */
export class VersionConflictError extends Error {
  override name = "VersionConflictError";
  constructor(lotId: string, expectedVersion: number) {
    super(`lot ${lotId} moved past version ${expectedVersion}`);
  }
}

/**
 * A lot's event stream on JetStream: one subject per lot in LOT_EVENTS. Appends
 * carry the expected last sequence of that subject, so concurrent writers on any
 * number of replicas are serialised by the server and the loser re-reads.
 */
export class LotStream {
  readonly #js: JetStreamClient;
  #jsm: Promise<JetStreamManager> | undefined;

  readonly #nc: NatsConnection;

  constructor(nc: NatsConnection) {
    this.#nc = nc;
    this.#js = jetstream(nc, { timeout: 5_000 });
  }

  /** Creates the stream, or updates it to this configuration. Safe to race. */
  async ensureStream(replicas = 1): Promise<void> {
    const jsm = await this.#manager();
    const config: Partial<StreamConfig> & { name: string } = {
      name: LOT_EVENTS_STREAM,
      subjects: [LOT_SUBJECT_WILDCARD],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.New,
      num_replicas: replicas,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      allow_direct: true,
      deny_delete: true,
      deny_purge: true,
    };
    await addOrUpdateStream(jsm, config);
  }

  async append(event: LotEvent, options: AppendOptions): Promise<AppendResult> {
    try {
      const subject = lotSubject(event.lotId);
      const ack = await tracePublish(
        { subject, template: LOT_SUBJECT_TEMPLATE },
        (headers) =>
          this.#js.publish(subject, toBinary(LotEventSchema, event), {
            msgID: options.msgId,
            expect: { lastSubjectSequence: options.expectedVersion },
            headers,
          }),
        options.headers,
      );
      return { sequence: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      // A clustered stream's leader may answer the constant form of the error (10164, no
      // sequence in its text) when the check fails against appends still in flight; the
      // fault suite met it when a NATS node died. Both mean: not stored, re-read.
      if (
        err instanceof JetStreamApiError &&
        (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
          err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
      ) {
        throw new VersionConflictError(event.lotId, options.expectedVersion);
      }
      throw err;
    }
  }

  /** The lot's events after a sequence, in order, as stored now (batched direct gets). */
  async *readAfter(lotId: string, afterSequence: number): AsyncGenerator<StoredLotEvent> {
    const jsm = await this.#manager();
    for await (const message of readSubject(
      jsm,
      LOT_EVENTS_STREAM,
      lotSubject(lotId),
      afterSequence + 1,
    )) {
      yield {
        sequence: message.seq,
        event: fromBinary(LotEventSchema, message.data),
        storedAt: message.time,
        headers: message.header,
      };
    }
  }

  /**
   * The lot's events after a sequence, then live ones as they are appended, until the
   * signal aborts. Uses an ordered consumer, which recreates itself across NATS
   * restarts at the right sequence, so the caller sees no gap and no duplicate.
   */
  async *watch(
    lotId: string,
    afterSequence: number,
    signal: AbortSignal,
  ): AsyncGenerator<StoredLotEvent> {
    const consumer = await this.#js.consumers.get(LOT_EVENTS_STREAM, {
      filter_subjects: [lotSubject(lotId)],
      ...(afterSequence > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: afterSequence + 1 }
        : { deliver_policy: DeliverPolicy.All }),
    });
    const messages = await consumer.consume({ expires: CONSUME_EXPIRES_MS });
    const stop = () => messages.stop();
    signal.addEventListener("abort", stop, { once: true });
    // Aborted while the consumer was being set up: the listener came too late to hear it.
    if (signal.aborted) stop();
    try {
      for await (const message of messages) {
        yield {
          sequence: message.seq,
          event: fromBinary(LotEventSchema, message.data),
          storedAt: message.time,
          headers: message.headers,
        };
      }
    } finally {
      signal.removeEventListener("abort", stop);
      await messages.close().catch(() => undefined);
    }
  }

  #manager(): Promise<JetStreamManager> {
    this.#jsm ??= manageJetStream(this.#nc);
    return this.#jsm;
  }
}
