/**
 * Publishes the push table's probe events: bids accepted on one lot, appended straight
 * to the lot's JetStream subject (syntheticBid, as the push tests do), each with the
 * bench's clock reading at publish, so arrival minus publish is the delivery latency of
 * every path from JetStream to a client.
 */
import { toBinary } from "@bufbuild/protobuf";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { lotSubject } from "@gavel/nats";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { syntheticBid } from "@gavel/testing";
import { probeBidId } from "./push-clients.ts";

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
  const endsAtMs = Date.now() + 3600_000;
  return {
    async publish(first, count, intervalMs) {
      const publishedAt = new Map<number, number>();
      const acks: Array<Promise<unknown>> = [];
      for (let n = first; n < first + count; n++) {
        const event = syntheticBid(lotId, {
          bidId: probeBidId(n),
          bidderId: "protocols-bench",
          amountMinor: BigInt(100_00 + n * 1_00),
          endsAtMs,
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
