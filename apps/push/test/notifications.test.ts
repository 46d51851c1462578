import { randomUUID } from "node:crypto";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mintToken, serviceEnv, startService, type ServiceProcess } from "@gavel/testing";
import { BOTH_FEED_MODES, startPushStack, type PushStack } from "./push-stack.ts";
import { TestSocket } from "./ws-client.ts";

/** The push stack plus the notifier, which turns lot events into users' notifications. */
let stack: PushStack;
let notifier: ServiceProcess;
beforeAll(async () => {
  stack = await startPushStack(inject("natsUrl"), {}, BOTH_FEED_MODES);
  notifier = await startService("notifier", serviceEnv(stack.natsUrl));
});
afterAll(async () => {
  await notifier?.stop();
  await stack?.stop();
});

describe("a user's notifications, end to end", () => {
  it("tells an outbid bidder over WebSocket and over SSE (with a ticket)", async () => {
    const lotId = await stack.newLot();
    const ann = randomUUID();
    const token = await mintToken(ann);

    const socket = await TestSocket.open(stack.replicas[0]!.rpcUrl, { token });
    await socket.subscribe(`user:${ann}`);

    const base = stack.replicas[1]!.rpcUrl;
    const { ticket } = (await (
      await fetch(`${base}/tickets`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { ticket: string };
    const viaSse: Array<{ id: string; data: unknown }> = [];
    const source = new EventSource(`${base}/sse/notifications?ticket=${ticket}`);
    source.addEventListener("outbid", (e) =>
      viaSse.push({ id: e.lastEventId, data: JSON.parse(e.data) }),
    );
    await new Promise((resolve) => source.addEventListener("open", resolve, { once: true }));

    await stack.bid(lotId, ann, 1000n);
    await stack.bid(lotId, "bob", 1500n);

    const [event] = await socket.waitForEvents(`user:${ann}`, 1);
    expect(event).toMatchObject({
      event: "outbid",
      data: {
        userId: ann,
        lotId,
        outbid: { highestBid: { amountMinor: "1500" }, minimumNextBid: { amountMinor: "1600" } },
      },
    });
    await expect.poll(() => viaSse.length, { timeout: 10_000 }).toBe(1);
    expect(viaSse[0]).toEqual({ id: String(event!.seq), data: event!.data });
    source.close();
    socket.close();
  });
});
