import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  INVOICES_STREAM,
  LOT_EVENTS_STREAM,
  NOTIFICATIONS_STREAM,
  invoiceSubject,
  lotSubject,
  notifySubject,
  readSubject,
} from "@gavel/nats";
import { LotEventSchema, type LotEvent } from "@gavel/proto/lot/v1/lot_events";
import { NotificationSchema } from "@gavel/proto/notification/v1/notifications";
import { InvoiceReadySchema } from "@gavel/proto/settlement/v1/settlement";
import type { RoundEvidence, Stored } from "./checks.ts";

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
    for await (const message of readSubject(this.#jsm, stream, subject, 1)) {
      out.push({ seq: message.seq, value: fromBinary(schema, message.data) });
    }
    return out;
  }
}
