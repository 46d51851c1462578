import { randomUUID } from "node:crypto";
import { toBinary } from "@bufbuild/protobuf";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LotStream } from "@gavel/lot-events";
import { LOT_EVENTS_STREAM, lotSubject } from "@gavel/nats";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { syntheticBid } from "@gavel/testing";
import { parseChannel } from "../src/feeds/channels.ts";
import { nextFromLeader, replayStored } from "../src/feeds/stored-events.ts";
import { TraceClaims } from "../src/tracing/trace-claims.ts";

/**
 * Replays read stored events with direct gets, which a lagging follower of a clustered
 * stream may answer short. These run on a real NATS; the lagging follower is played by
 * cutting the direct-get batches short, while message gets go to the real server.
 */
let nc: NatsConnection;
let jsm: JetStreamManager;
const lotA = `replay-${randomUUID()}`;
const lotB = `replay-${randomUUID()}`;
/** Stream sequences of lot A's events, appended between lot B's. */
const seqsOfA: number[] = [];

beforeAll(async () => {
  nc = await connect({ servers: inject("natsUrl") });
  await new LotStream(nc).ensureStream();
  jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  for (let i = 0; i < 6; i++) {
    for (const lotId of [lotA, lotB]) {
      const event = syntheticBid(lotId, {
        bidId: `bid-${i}`,
        bidderId: "replay-tester",
        amountMinor: BigInt(1000 + i),
      });
      const ack = await js.publish(lotSubject(lotId), toBinary(LotEventSchema, event));
      if (lotId === lotA) seqsOfA.push(ack.seq);
    }
  }
});
afterAll(() => nc?.close());

const channelA = () => parseChannel(`lot:${lotA}`)!;
const replayed = async (manager: JetStreamManager, after: number, upTo: number) => {
  const seqs: number[] = [];
  for await (const event of replayStored(manager, channelA(), after, upTo, new TraceClaims()))
    seqs.push(event.seq);
  return seqs;
};

/** The manager, except that direct-get batches stop after `served` messages. */
function laggingFollower(served: number): JetStreamManager {
  const direct = {
    getBatch: async (
      stream: string,
      query: Parameters<JetStreamManager["direct"]["getBatch"]>[1],
    ) => {
      const batch = await jsm.direct.getBatch(stream, query);
      return (async function* () {
        let n = 0;
        for await (const message of batch) {
          if (n++ === served) return;
          yield message;
        }
      })();
    },
  };
  return new Proxy(jsm, {
    get: (target, key) => (key === "direct" ? direct : Reflect.get(target, key)),
  }) as JetStreamManager;
}

describe("replaying stored events", () => {
  it("replays only the channel's events, in order, up to the given sequence", async () => {
    expect(await replayed(jsm, 0, seqsOfA[4]!)).toEqual(seqsOfA.slice(0, 5));
    expect(await replayed(jsm, seqsOfA[1]!, seqsOfA[5]!)).toEqual(seqsOfA.slice(2));
  });

  it("asks the leader for the channel's next message, skipping other subjects", async () => {
    const next = await nextFromLeader(jsm, LOT_EVENTS_STREAM, lotSubject(lotA), seqsOfA[2]! + 1);
    expect(next?.seq).toBe(seqsOfA[3]);
    const past = await nextFromLeader(jsm, LOT_EVENTS_STREAM, lotSubject(lotA), seqsOfA[5]! + 1);
    expect(past).toBeNull();
  });

  it("does not stop short when a lagging follower answers a batch short", async () => {
    // A follower that has applied only two of the six events answers every batch with at
    // most two; the leader has the rest, and the replay must reach them all.
    expect(await replayed(laggingFollower(2), 0, seqsOfA[5]!)).toEqual(seqsOfA);
    expect(await replayed(laggingFollower(0), 0, seqsOfA[5]!)).toEqual(seqsOfA);
  });

  it("still stops at the sequence it was asked to reach", async () => {
    expect(await replayed(laggingFollower(1), 0, seqsOfA[3]!)).toEqual(seqsOfA.slice(0, 4));
  });
});
