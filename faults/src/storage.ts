import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { JetStreamError, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  INVOICES_STREAM,
  LOT_EVENTS_STREAM,
  NOTIFICATIONS_STREAM,
  invoiceSubject,
  lotSubject,
  notifySubject,
} from "@gavel/nats";
import { LotEventSchema, type LotEvent } from "@gavel/proto/lot/v1/lot_events";
import { NotificationSchema } from "@gavel/proto/notification/v1/notifications";
import { InvoiceReadySchema } from "@gavel/proto/settlement/v1/settlement";
import type { RoundEvidence, Stored } from "./checks.ts";

const BATCH = 256;

/**
 * Reads what a round left in JetStream, straight from the streams (direct gets by
 * subject, which every replica of a clustered stream answers): the source of truth the
 * checks hold clients' answers against.
 */
export class Storage {
  readonly #jsm: JetStreamManager;

  private constructor(jsm: JetStreamManager) {
    this.#jsm = jsm;
  }

  static async open(nc: NatsConnection): Promise<Storage> {
    return new Storage(await jetstreamManager(nc, { timeout: 10_000 }));
  }

  async lotEvents(lotId: string): Promise<Array<Stored<LotEvent>>> {
    return this.#read(LOT_EVENTS_STREAM, lotSubject(lotId), LotEventSchema);
  }

  /** Every notification stored for each user. */
  async notifications(userIds: string[]): Promise<RoundEvidence["notifications"]> {
    const byUser: RoundEvidence["notifications"] = new Map();
    for (const userId of userIds) {
      const stored = await this.#read(
        NOTIFICATIONS_STREAM,
        notifySubject(userId),
        NotificationSchema,
      );
      byUser.set(
        userId,
        stored.map(({ seq, value }) => ({
          seq,
          value: { id: value.id, closingSoon: value.kind.case === "closingSoon" },
        })),
      );
    }
    return byUser;
  }

  async invoices(lotIds: string[]): Promise<RoundEvidence["invoices"]> {
    const invoices: RoundEvidence["invoices"] = [];
    for (const lotId of lotIds) {
      for (const { value } of await this.#read(
        INVOICES_STREAM,
        invoiceSubject(lotId),
        InvoiceReadySchema,
      )) {
        const invoice = value.invoice;
        invoices.push({
          lotId: invoice?.lotId ?? "",
          buyerId: invoice?.buyerId ?? "",
          hammerMinor: invoice?.hammerPrice?.amountMinor ?? -1n,
        });
      }
    }
    return invoices;
  }

  async #read<Desc extends DescMessage>(
    stream: string,
    subject: string,
    schema: Desc,
  ): Promise<Array<Stored<MessageShape<Desc>>>> {
    const out: Array<Stored<MessageShape<Desc>>> = [];
    let next = 1;
    for (;;) {
      let count = 0;
      try {
        const batch = await this.#jsm.direct.getBatch(stream, {
          seq: next,
          next_by_subj: subject,
          batch: BATCH,
        });
        for await (const message of batch) {
          count++;
          next = message.seq + 1;
          out.push({ seq: message.seq, value: fromBinary(schema, message.data) });
        }
      } catch (err) {
        // 404: nothing (more) on the subject.
        if (!(err instanceof JetStreamError && (err as { code?: number }).code === 404)) throw err;
      }
      if (count < BATCH) return out;
    }
  }
}
