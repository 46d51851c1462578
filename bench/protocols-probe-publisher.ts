/**
 * Publishes the push table's probe events: bids accepted on one lot, appended straight
 * to the lot's JetStream subject (as apps/push/test/push-stack.ts does), each with the
 * bench's clock reading at publish, so arrival minus publish is the delivery latency of
 * every path from JetStream to a client.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { lotSubject } from "@gavel/nats";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { probeBidId } from "./protocols-push-clients.ts";

export interface ProbePublisher {
  /**
   * Publishes probes first .. first + count - 1, one every intervalMs; resolves with each
   * one's publish time (performance.now()) once JetStream acknowledged them all.
   */
  publish(first: number, count: number, intervalMs: number): Promise<Map<number, number>>;
  close(): Promise<void>;
}

export async function openProbePublisher(natsUrl: string, lotId: string): Promise<ProbePublisher> {
  const nc = await connect({ servers: natsUrl });
  const js = jetstream(nc);
  const endsAt = timestampFromMs(Date.now() + 3600_000);
  return {
    async publish(first, count, intervalMs) {
      const publishedAt = new Map<number, number>();
      const acks: Array<Promise<unknown>> = [];
      for (let n = first; n < first + count; n++) {
        const event = create(LotEventSchema, {
          lotId,
          occurredAt: timestampFromMs(Date.now()),
          kind: {
            case: "bidAccepted",
            value: {
              bidId: probeBidId(n),
              bidderId: "protocols-bench",
              amount: { currencyCode: "EUR", amountMinor: BigInt(100_00 + n * 1_00) },
              endsAt,
            },
          },
        });
        const payload = toBinary(LotEventSchema, event);
        publishedAt.set(n, performance.now());
        acks.push(js.publish(lotSubject(lotId), payload));
        await new Promise((r) => setTimeout(r, intervalMs));
      }
      await Promise.all(acks);
      return publishedAt;
    },
    close: () => nc.close(),
  };
}
