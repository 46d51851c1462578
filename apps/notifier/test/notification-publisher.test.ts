import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { createLogger } from "@gavel/logging";
import { NOTIFICATIONS_STREAM, notifySubject } from "@gavel/nats";
import { NotificationSchema } from "@gavel/proto/notification/v1/notifications";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { NotificationPublisher } from "../src/notification-publisher.ts";

let nc: NatsConnection;
let publisher: NotificationPublisher;
beforeAll(async () => {
  nc = await connect({ servers: inject("natsUrl") });
  const logger = createLogger({ service: "notifier-test", level: "silent" });
  publisher = await NotificationPublisher.open(nc, 1, logger);
  await NotificationPublisher.open(nc, 1, logger); // a second replica starting: no error
});
afterAll(() => nc.drain());

const notification = (userId: string, id = `won-${randomUUID()}`) =>
  create(NotificationSchema, { id, userId, kind: { case: "won", value: {} } });

/** How many messages the user's subject holds. */
async function storedFor(userId: string): Promise<number> {
  const info = await (
    await jetstreamManager(nc)
  ).streams.info(NOTIFICATIONS_STREAM, { subjects_filter: notifySubject(userId) });
  return info.state.subjects?.[notifySubject(userId)] ?? 0;
}

describe("NotificationPublisher", () => {
  it("stores a notification once, however often it is published", async () => {
    const userId = randomUUID();
    const once = notification(userId);
    await publisher.publish([once]);
    await publisher.publish([once, once]);
    expect(await storedFor(userId)).toBe(1);
  });

  it("skips a user id that cannot be a subject and publishes the rest", async () => {
    const userId = randomUUID();
    await expect(
      publisher.publish([notification("not.a.token"), notification(userId)]),
    ).resolves.toBeUndefined();
    expect(await storedFor(userId)).toBe(1);
  });
});
