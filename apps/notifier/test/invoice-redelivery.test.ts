import { randomUUID } from "node:crypto";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createLogger } from "@gavel/logging";
import type { Notification } from "@gavel/proto/notification/v1/notifications";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DurableWorker } from "@gavel/nats";
import { invoiceWork } from "../src/invoice-work.ts";
import { ensureInvoicesStream } from "../src/invoices-stream.ts";
import { NotificationPublisher } from "../src/notification-publisher.ts";
import { invoiceReady, issueInvoice, storedNotificationsOf } from "./notifier-stack.ts";

let nc: NatsConnection;
let publisher: NotificationPublisher;
beforeAll(async () => {
  nc = await connect({ servers: inject("natsUrl") });
  const logger = createLogger({ service: "notifier-test", level: "silent" });
  publisher = await NotificationPublisher.open(nc, 1, logger);
  await ensureInvoicesStream(nc, 1);
  await ensureInvoicesStream(nc, 1); // a second replica starting: no error
});
afterAll(() => nc.drain());

/**
 * The invoice consumer in this process, with a publisher that fails its first call
 * after publishing `before` of the notifications: the invoice comes back (a nak), as it
 * does to a replica whose publish failed half way or whose ack was lost.
 */
async function workerFailingOnce(before: number) {
  const calls: string[][] = [];
  const flaky = {
    async publish(notifications: readonly Notification[]) {
      calls.push(notifications.map((n) => n.id));
      if (calls.length > 1) return publisher.publish(notifications);
      await publisher.publish(notifications.slice(0, before));
      throw new Error("NATS went away");
    },
  };
  const logger = createLogger({ service: "notifier-test", level: "silent" });
  const worker = new DurableWorker(nc, invoiceWork({ publisher: flaky }), logger);
  await worker.start();
  return { calls, worker };
}

describe("an invoice handed out again", () => {
  it.each([
    ["after the buyer's notification was published", 1],
    ["after both were published (a lost ack)", 2],
  ])("%s still tells the buyer and the seller once each", async (_, before) => {
    const { calls, worker } = await workerFailingOnce(before);
    try {
      const lotId = randomUUID();
      const { invoice, payload } = invoiceReady(lotId);
      await issueInvoice(nc, lotId, payload);

      const ids = [`invoice-${lotId}-buyer`, `invoice-${lotId}-seller`];
      await expect.poll(() => calls, { timeout: 10_000 }).toEqual([ids, ids]);
      for (const userId of [invoice.buyerId, invoice.sellerId])
        await expect.poll(() => storedNotificationsOf(nc, userId)).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  });
});
