import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { create, toBinary } from "@bufbuild/protobuf";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { INVOICES_STREAM, NOTIFIER_INVOICES_CONSUMER, invoiceSubject } from "@gavel/nats";
import { InvoiceRole } from "@gavel/proto/notification/v1/notifications";
import { InvoiceReadySchema } from "@gavel/proto/settlement/v1/settlement";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eur, invoiceReady, startNotifierStack, type NotifierStack } from "./notifier-stack.ts";

let stack: NotifierStack;
let nc: NatsConnection;
beforeAll(async () => {
  // Two replicas sharing the consumer: every invoice below is taken by one of them.
  stack = await startNotifierStack(inject("natsUrl"), 2);
  nc = await connect({ servers: inject("natsUrl") });
});
afterAll(async () => {
  await nc.drain();
  // catalog, bidding and both notifiers: none crashed on what they were given
  expect(await stack.stop()).toEqual([0, 0, 0, 0]);
});

const ids = async (userId: string) => (await stack.notificationsOf(userId)).map((n) => n.id);

describe("an issued invoice", () => {
  it("tells the buyer what they pay and the seller what they receive, once each, in the invoice's trace", async () => {
    const lotId = randomUUID();
    const { invoice, payload } = invoiceReady(lotId);
    const traceId = randomBytes(16).toString("hex");
    await stack.issueInvoice(lotId, payload, `00-${traceId}-${randomBytes(8).toString("hex")}-01`);

    const told = [
      { userId: invoice.buyerId, side: "buyer", role: InvoiceRole.BUYER, amount: 1_250_00n },
      { userId: invoice.sellerId, side: "seller", role: InvoiceRole.SELLER, amount: 900_00n },
    ];
    for (const { userId, side, role, amount } of told) {
      await expect.poll(() => ids(userId)).toEqual([`invoice-${lotId}-${side}`]);
      const [stored] = await stack.storedNotificationsOf(userId);
      expect(stored!.notification).toMatchObject({
        userId,
        lotId,
        lotTitle: "A walnut chair",
        occurredAt: invoice.issuedAt,
        kind: {
          case: "invoiceReady",
          value: { role, amount: eur(amount), hammerPrice: eur(1_000_00n) },
        },
      });
      // Published inside the notifier's process span, which the invoice's context parents.
      expect(stored!.traceparent?.split("-")[1]).toBe(traceId);
    }

    await sleep(500);
    expect(await ids(invoice.buyerId)).toHaveLength(1);
    expect(await ids(invoice.sellerId)).toHaveLength(1);
  });

  it("tells every buyer and seller once when many invoices arrive at once at two replicas", async () => {
    const invoices = Array.from({ length: 20 }, () => invoiceReady(randomUUID()));
    await Promise.all(
      invoices.map(({ invoice, payload }) => stack.issueInvoice(invoice.lotId, payload)),
    );

    for (const { invoice } of invoices) {
      await expect.poll(() => ids(invoice.buyerId)).toEqual([`invoice-${invoice.lotId}-buyer`]);
      await expect.poll(() => ids(invoice.sellerId)).toEqual([`invoice-${invoice.lotId}-seller`]);
    }
    await sleep(500);
    for (const { invoice } of invoices) {
      expect(await ids(invoice.buyerId)).toHaveLength(1);
      expect(await ids(invoice.sellerId)).toHaveLength(1);
    }
  });
});

describe("a malformed invoice message", () => {
  it.each([
    ["bytes that are no protobuf", () => new TextEncoder().encode("not an invoice")],
    [
      "an event without its invoice",
      () => toBinary(InvoiceReadySchema, create(InvoiceReadySchema)),
    ],
    ["another lot's invoice", () => invoiceReady(randomUUID()).payload],
  ])("(%s) is terminated and logged, not retried, and holds up no other", async (_, payload) => {
    const terminated = nc.subscribe(
      `$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.${INVOICES_STREAM}.${NOTIFIER_INVOICES_CONSUMER}`,
    );
    await nc.flush();
    const badLot = randomUUID();
    const badSeq = await stack.issueInvoice(badLot, payload());
    const next = invoiceReady(randomUUID());
    await stack.issueInvoice(next.invoice.lotId, next.payload);

    await expect.poll(() => ids(next.invoice.buyerId)).toHaveLength(1);
    await expect.poll(() => ids(next.invoice.sellerId)).toHaveLength(1);
    const advisories: number[] = [];
    for await (const m of terminated) {
      advisories.push((m.json() as { stream_seq: number }).stream_seq);
      if (advisories.includes(badSeq)) break;
    }
    expect(advisories).toContain(badSeq);

    // The advisory comes over NATS; the log line over the process's stdout pipe, which may
    // still be on its way when the advisory is in.
    const about = () =>
      stack.group.processes.flatMap((p) => p.logs).filter((l) => l.seq === badSeq);
    await expect.poll(about).toEqual([
      expect.objectContaining({
        level: "error",
        msg: "dropping a message that cannot be handled",
        subject: invoiceSubject(badLot),
      }),
    ]);
    const jsm = await jetstreamManager(nc);
    await expect
      .poll(
        async () =>
          (await jsm.consumers.info(INVOICES_STREAM, NOTIFIER_INVOICES_CONSUMER)).num_ack_pending,
      )
      .toBe(0);
  });
});
