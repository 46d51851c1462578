import { randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  LOT_EVENTS_STREAM,
  LOT_SUBJECT_WILDCARD,
  lotSubject,
  NOTIFICATIONS_STREAM,
  NOTIFY_SUBJECT_WILDCARD,
  notifySubject,
} from "@gavel/nats";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { NotificationSchema } from "@gavel/proto/notification/v1/notifications";
import {
  mintToken,
  natsUserEnv,
  serviceEnv,
  ServiceGroup,
  startNatsServer,
  startNatsServerWithUsers,
  syntheticBid,
  type NatsServerHandle,
  type ServiceProcess,
} from "@gavel/testing";
import { TestSocket } from "./ws-client.ts";

/**
 * A push replica in shared mode (GAVEL_PUSH_FEEDS=shared) on a NATS server of its own, so
 * the consumers on it are this replica's only. Events go straight into JetStream: the
 * feeds only relay what is stored.
 */
let nats: NatsServerHandle;
let group: ServiceGroup;
let push: ServiceProcess;
let nc: NatsConnection;
let jsm: JetStreamManager;
beforeAll(async () => {
  nats = await startNatsServer();
  group = new ServiceGroup();
  push = await group.start("push", {
    ...serviceEnv(nats.url),
    GAVEL_PUSH_FEEDS: "shared",
    GAVEL_REPLICA_ID: "push-shared",
  });
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
});
afterAll(async () => {
  await nc?.close();
  await group?.stop();
  await nats?.stop();
});

/** Every channel's stored sequences, as the appends were acknowledged. */
class Appender {
  readonly stored = new Map<string, number[]>();
  readonly #lots: JetStreamClient;
  readonly #notifications: JetStreamClient;

  /** Appends lot events over one connection and notifications over the other. */
  constructor(lots = nc, notifications = lots) {
    this.#lots = jetstream(lots);
    this.#notifications = jetstream(notifications);
  }

  async lotEvent(lotId: string, i: number): Promise<void> {
    const event = syntheticBid(lotId, { bidId: `b-${i}`, bidderId: "x", amountMinor: BigInt(i) });
    const ack = await this.#lots.publish(lotSubject(lotId), toBinary(LotEventSchema, event));
    this.#record(`lot:${lotId}`, ack.seq);
  }

  async notification(userId: string): Promise<void> {
    const notification = create(NotificationSchema, {
      id: randomUUID(),
      userId,
      kind: { case: "won", value: {} },
    });
    const data = toBinary(NotificationSchema, notification);
    const ack = await this.#notifications.publish(notifySubject(userId), data);
    this.#record(`user:${userId}`, ack.seq);
  }

  /** The channel's sequences after `after`. */
  after(channel: string, after: number): number[] {
    return (this.stored.get(channel) ?? []).filter((seq) => seq > after);
  }

  #record(channel: string, seq: number): void {
    const list = this.stored.get(channel) ?? [];
    list.push(seq);
    // Acks of concurrent appends may come back in any order; sequences are the order.
    list.sort((a, b) => a - b);
    this.stored.set(channel, list);
  }
}

async function consumerFilters(stream: string): Promise<string[][]> {
  const filters: string[][] = [];
  for await (const info of jsm.consumers.list(stream)) {
    const { filter_subject, filter_subjects } = info.config;
    filters.push(filter_subjects ?? (filter_subject ? [filter_subject] : []));
  }
  return filters;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

interface Follow {
  channel: string;
  /** The position asked for (a resume), or undefined to start live. */
  after: number | undefined;
  /** What the replica answered it is live after. */
  liveAfter?: number;
}

describe("shared feeds", () => {
  it("open one consumer per kind of channel for many clients on many channels, each client getting exactly its channels' events in order while events are appended during the joins", async () => {
    expect(await consumerFilters(LOT_EVENTS_STREAM)).toEqual([]); // lazily started
    expect(await consumerFilters(NOTIFICATIONS_STREAM)).toEqual([]);

    const lots = Array.from({ length: 12 }, () => randomUUID());
    const users = Array.from({ length: 6 }, () => randomUUID());
    const appender = new Appender();
    for (const [i, lotId] of lots.entries()) await appender.lotEvent(lotId, i); // a history

    // Appends in rounds over every lot and user until the clients below have joined.
    let joined = false;
    let roundsDuringJoins = 0;
    const appends = (async () => {
      for (let round = 0, extra = 0; extra < 5; round++) {
        await Promise.all([
          ...lots.map((lotId, i) => appender.lotEvent(lotId, round * 100 + i)),
          ...users.filter((_, i) => (round + i) % 3 === 0).map((u) => appender.notification(u)),
        ]);
        await pause(5);
        if (joined) extra++;
        else roundsDuringJoins++;
      }
    })();

    const clients = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        await pause(i * 25);
        const userId = users[i % users.length]!;
        const socket = await TestSocket.open(push.rpcUrl, { token: await mintToken(userId) });
        const follows: Follow[] = [
          ...new Set(Array.from({ length: 4 }, () => `lot:${pick(lots)}`)),
          `user:${userId}`,
        ].map((channel) => {
          // A third start live, a third resume from what is stored so far, a third from 0.
          const known = appender.stored.get(channel) ?? [];
          const after = [undefined, known.length ? pick(known) : 0, 0][(i + channel.length) % 3];
          return { channel, after };
        });
        await Promise.all(
          follows.map(async (follow) => {
            const answer = await socket.subscribe(follow.channel, follow.after);
            expect(answer).toMatchObject({ type: "subscribed", channel: follow.channel });
            follow.liveAfter = answer.after as number;
          }),
        );
        return { socket, follows };
      }),
    );
    joined = true;
    await appends;
    expect(roundsDuringJoins).toBeGreaterThan(10); // the joins raced the appends

    const expected = (follow: Follow) =>
      appender.after(follow.channel, follow.after ?? follow.liveAfter!);
    for (const { socket, follows } of clients) {
      for (const follow of follows) {
        await socket.waitForEvents(follow.channel, expected(follow).length);
      }
    }
    await pause(200); // for anything that should not come
    for (const { socket, follows } of clients) {
      for (const follow of follows) {
        const sequences = socket.events(follow.channel).map((e) => e.seq);
        expect(sequences, follow.channel).toEqual(expected(follow));
      }
      const withEvents = follows.filter((f) => expected(f).length > 0).map((f) => f.channel);
      expect(channelsWithEvents(socket, lots, users).sort()).toEqual(withEvents.sort());
    }

    expect(await consumerFilters(LOT_EVENTS_STREAM)).toEqual([[LOT_SUBJECT_WILDCARD]]);
    expect(await consumerFilters(NOTIFICATIONS_STREAM)).toEqual([[NOTIFY_SUBJECT_WILDCARD]]);
    clients.forEach(({ socket }) => socket.close());
  });

  it("ignore the channels nobody on the replica follows: no delivery, no error", async () => {
    const watched = randomUUID();
    const others = Array.from({ length: 10 }, () => randomUUID());
    const appender = new Appender();
    const socket = await TestSocket.open(push.rpcUrl);
    await socket.subscribe(`lot:${watched}`);
    for (let round = 0; round < 20; round++) {
      await Promise.all(others.map((lotId, i) => appender.lotEvent(lotId, round * 10 + i)));
      if (round % 5 === 0) await appender.lotEvent(watched, round);
    }
    const expected = appender.after(`lot:${watched}`, 0);
    const events = await socket.waitForEvents(`lot:${watched}`, expected.length);
    expect(events.map((e) => e.seq)).toEqual(expected);
    expect(channelsWithEvents(socket, [watched, ...others], [])).toEqual([`lot:${watched}`]);
    expect(push.logs.filter((l) => l.level === "error" || l.level === "fatal")).toEqual([]);
    expect(await consumerFilters(LOT_EVENTS_STREAM)).toEqual([[LOT_SUBJECT_WILDCARD]]);
    socket.close();
  });

  it("go on without a gap or a duplicate when the server loses the shared consumer", async () => {
    const lotId = randomUUID();
    const channel = `lot:${lotId}`;
    const appender = new Appender();
    const socket = await TestSocket.open(push.rpcUrl);
    const { after } = await socket.subscribe(channel);
    for (let i = 0; i < 3; i++) await appender.lotEvent(lotId, i);
    await socket.waitForEvents(channel, 3);

    for await (const info of jsm.consumers.list(LOT_EVENTS_STREAM)) {
      await jsm.consumers.delete(LOT_EVENTS_STREAM, info.name);
    }
    for (let i = 3; i < 10; i++) await appender.lotEvent(lotId, i);

    const expected = appender.after(channel, after as number);
    await socket.waitForEvents(channel, expected.length, 20_000);
    await pause(200);
    expect(socket.events(channel).map((e) => e.seq)).toEqual(expected);
    expect(await consumerFilters(LOT_EVENTS_STREAM)).toEqual([[LOT_SUBJECT_WILDCARD]]);
    socket.close();
  });
});

describe("shared feeds as the push gateway's own NATS user", () => {
  it("are allowed by the chart's grants, and drain on SIGTERM", async () => {
    const secured = await startNatsServerWithUsers();
    const services = new ServiceGroup();
    const as = (user: "bidding" | "notifier") =>
      connect({ servers: secured.url, user, pass: secured.passwords[user] });
    const [bidding, notifier] = await Promise.all([as("bidding"), as("notifier")]);
    try {
      const replica = await services.start("push", {
        ...serviceEnv(secured.url),
        ...natsUserEnv("push", secured.passwords),
        GAVEL_PUSH_FEEDS: "shared",
      });
      const [lotId, userId] = [randomUUID(), randomUUID()];
      const socket = await TestSocket.open(replica.rpcUrl, { token: await mintToken(userId) });
      await socket.subscribe(`lot:${lotId}`, 0);
      await socket.subscribe(`user:${userId}`, 0);
      const appender = new Appender(bidding, notifier);
      await appender.lotEvent(lotId, 1);
      await appender.notification(userId);
      await socket.waitForEvents(`lot:${lotId}`, 1);
      await socket.waitForEvents(`user:${userId}`, 1);
      expect(replica.logs.filter((l) => l.level === "error")).toEqual([]);
      // Drains with both shared feeds open: sockets get 1012, the feeds close.
      expect(await replica.stop("SIGTERM")).toBe(0);
      expect(await socket.closed).toMatchObject({ code: 1012 });
    } finally {
      await Promise.all([bidding.close(), notifier.close()]);
      await services.stop();
      await secured.stop();
    }
  });
});

/** The channels among these lots' and users' that the socket received events of. */
function channelsWithEvents(socket: TestSocket, lots: string[], users: string[]): string[] {
  const channels = [...lots.map((l) => `lot:${l}`), ...users.map((u) => `user:${u}`)];
  return channels.filter((channel) => socket.events(channel).length > 0);
}
