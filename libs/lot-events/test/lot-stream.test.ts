import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { LotEventSchema, type LotEvent } from "@gavel/proto/lot/v1/lot_events";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LotStateStore } from "../src/lot-state-store.ts";
import { LotStream, VersionConflictError } from "../src/lot-stream.ts";
import { LotWriter } from "../src/lot-writer.ts";

let nc: NatsConnection;
let stream: LotStream;

beforeAll(async () => {
  nc = await connect({ servers: inject("natsUrl") });
  stream = new LotStream(nc);
  await stream.ensureStream();
  await stream.ensureStream(); // a second replica starting: same config, no error
});

afterAll(async () => {
  await nc.drain();
});

const opened = (lotId: string): LotEvent =>
  create(LotEventSchema, {
    lotId,
    kind: {
      case: "opened",
      value: {
        sellerId: "s",
        startingPrice: { currencyCode: "EUR", amountMinor: 1n },
        endsAt: timestampFromMs(Date.now() + 3600_000),
      },
    },
  });

const bid = (lotId: string, n: number): LotEvent =>
  create(LotEventSchema, {
    lotId,
    kind: {
      case: "bidAccepted",
      value: {
        bidId: `b${n}`,
        bidderId: `u${n % 2}`,
        amount: { currencyCode: "EUR", amountMinor: BigInt(n) },
      },
    },
  });

describe("LotStream", () => {
  it("appends only at the expected version", async () => {
    const lotId = randomUUID();
    const first = await stream.append(opened(lotId), {
      expectedVersion: 0,
      msgId: `open:${lotId}`,
    });
    await expect(
      stream.append(opened(lotId), { expectedVersion: 0, msgId: randomUUID() }),
    ).rejects.toBeInstanceOf(VersionConflictError);
    const second = await stream.append(bid(lotId, 1), {
      expectedVersion: first.sequence,
      msgId: "x1" + lotId,
    });
    expect(second.sequence).toBeGreaterThan(first.sequence);
    await expect(
      stream.append(bid(lotId, 2), { expectedVersion: first.sequence, msgId: "x2" + lotId }),
    ).rejects.toBeInstanceOf(VersionConflictError);
  });

  it("never stores a repeated append twice: the moved version refuses it before its message id does", async () => {
    const lotId = randomUUID();
    await stream.append(opened(lotId), { expectedVersion: 0, msgId: `open:${lotId}` });
    await expect(
      stream.append(opened(lotId), { expectedVersion: 0, msgId: `open:${lotId}` }),
    ).rejects.toBeInstanceOf(VersionConflictError);
    const events = [];
    for await (const e of stream.readAfter(lotId, 0)) events.push(e);
    expect(events).toHaveLength(1);
  });

  it("reads every event of a lot in order, across read batches, and only that lot's", async () => {
    const lotId = randomUUID();
    const other = randomUUID();
    let version = (await stream.append(opened(lotId), { expectedVersion: 0, msgId: randomUUID() }))
      .sequence;
    await stream.append(opened(other), { expectedVersion: 0, msgId: randomUUID() });
    for (let n = 1; n <= 600; n++) {
      version = (
        await stream.append(bid(lotId, n), { expectedVersion: version, msgId: randomUUID() })
      ).sequence;
    }
    const events = [];
    for await (const e of stream.readAfter(lotId, 0)) events.push(e);
    expect(events).toHaveLength(601);
    expect(events.every((e) => e.event.lotId === lotId)).toBe(true);
    expect(events.map((e) => e.sequence)).toEqual(
      [...events.map((e) => e.sequence)].sort((a, b) => a - b),
    );
    const tail = [];
    for await (const e of stream.readAfter(lotId, events[599]!.sequence)) tail.push(e.sequence);
    expect(tail).toEqual([version]);
    const none = [];
    for await (const e of stream.readAfter(randomUUID(), 0)) none.push(e);
    expect(none).toEqual([]);
  });

  it("watches from a sequence and then follows live", async () => {
    const lotId = randomUUID();
    const v1 = (await stream.append(opened(lotId), { expectedVersion: 0, msgId: randomUUID() }))
      .sequence;
    const v2 = (await stream.append(bid(lotId, 1), { expectedVersion: v1, msgId: randomUUID() }))
      .sequence;
    const abort = new AbortController();
    const seen: number[] = [];
    const watching = (async () => {
      for await (const e of stream.watch(lotId, v1, abort.signal)) {
        seen.push(e.sequence);
        if (seen.length === 2) abort.abort();
      }
    })();
    const v3 = (await stream.append(bid(lotId, 2), { expectedVersion: v2, msgId: randomUUID() }))
      .sequence;
    await watching;
    expect(seen).toEqual([v2, v3]);
  });
});

describe("LotWriter", () => {
  it("lands every write exactly once when writers on separate caches contend", async () => {
    const lotId = randomUUID();
    await stream.append(opened(lotId), { expectedVersion: 0, msgId: randomUUID() });
    // Two writers with their own caches, like two replicas.
    const writers = [0, 1].map(() => new LotWriter(new LotStateStore(stream), stream));
    await Promise.all(
      Array.from({ length: 60 }, (_, n) =>
        writers[n % 2]!.write(lotId, () => ({
          msgId: `w${n}:${lotId}`,
          append: bid(lotId, n + 1),
          then: () => n,
        })),
      ),
    );
    const state = await new LotStateStore(stream).load(lotId);
    expect(state?.bids.map((b) => b.bidId).sort()).toEqual(
      Array.from({ length: 60 }, (_, n) => `b${n + 1}`).sort(),
    );
  });
});
