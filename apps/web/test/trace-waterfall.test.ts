import { randomUUID } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spansOf } from "@gavel/testing";
import { wcagViolations } from "./accessibility.ts";
import {
  bidFromPage,
  launchChromium,
  PHONE,
  RESULTS_DIR,
  screenshot,
  signInPage,
} from "./browser.ts";
import { startTracedStack, type TracedStack } from "./traced-stack.ts";
import { signUp } from "./web-stack.ts";

const PASSWORD = "correct horse battery";

let stack: TracedStack;
let browser: Browser;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTracedStack(), launchChromium()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  expect(await stack?.stop()).toEqual(Array(10).fill(0));
});

async function newUser(name: string) {
  const email = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@gavel.test`;
  return { email, password: PASSWORD, ...(await signUp(stack.edgeA, email, name, PASSWORD)) };
}

const waterfall = (page: Page) => page.getByTestId("trace-waterfall");
const servicesDrawn = async (page: Page) => [
  ...new Set(await waterfall(page).locator("tbody tr td:first-child").allTextContents()),
];

describe("a bid's trace, from the click to every screen, drawn on the page", () => {
  it("is one trace in Jaeger from the browser through push, bidding and NATS to both replicas and the outbid notice, and the page draws it", async () => {
    const [sam, ann, bob] = await Promise.all([newUser("Sam"), newUser("Ann"), newUser("Bob")]);
    const created = await fetch(`${stack.edgeA}/v1/lots`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: sam.authorization },
      body: JSON.stringify({
        title: "A lot traced from the click",
        starting_price: { currency: "EUR", amount_minor: 10_00 },
        ends_at: new Date(Date.now() + 40_000).toISOString(),
        snipe_window_seconds: 1,
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const lotId = ((await created.json()) as { id: string }).id;

    // Ann follows the lot through replica A on a phone; Bob through replica B.
    const annPage = await signInPage(browser, stack.edgeA, ann, PHONE);
    const bobPage = await signInPage(browser, stack.edgeB, bob);
    for (const page of [annPage, bobPage]) {
      await page.goto(`${new URL(page.url()).origin}/lots/${lotId}`);
      await expect.poll(() => page.getByTestId("connection").textContent()).toBe("Live");
    }
    // Both notification streams are open (their requests' spans are in Jaeger), so Ann's
    // outbid notice is a live delivery on replica A, not a replay.
    await expect
      .poll(
        async () =>
          (await stack.jaeger.findTraces({ service: "push", operation: "GET /sse/notifications" }))
            .length,
        { timeout: 15_000 },
      )
      .toBeGreaterThanOrEqual(2);

    await bidFromPage(annPage, "10");
    await expect.poll(() => annPage.locator("#bid-status").textContent()).toContain("highest");
    await bidFromPage(bobPage, "12");
    await expect.poll(() => bobPage.locator("#bid-status").textContent()).toContain("highest");
    await expect
      .poll(() => annPage.getByText(/You were outbid/).count(), { timeout: 10_000 })
      .toBeGreaterThan(0);

    // The trace the page drew is the one Bob's click started.
    await expect
      .poll(() => waterfall(bobPage).locator("caption").textContent(), { timeout: 15_000 })
      .toMatch(/trace [0-9a-f]{32}/);
    const caption = await waterfall(bobPage).locator("caption").textContent();
    const traceId = /trace ([0-9a-f]{32})/.exec(caption!)![1]!;

    const t = spansOf(
      await stack.jaeger.untilTraceHas(
        traceId,
        [
          "web bid",
          "push deliver gavel.lot.{lot_id}",
          "push deliver gavel.lot.{lot_id}",
          "notifier process gavel.lot.{lot_id}",
          "push deliver gavel.notify.{user_id}",
        ],
        20_000,
      ),
    );

    // In parent order: the browser's click, push's message, bidding, the append...
    const click = t.one("web", "bid");
    expect(t.parent(click)).toBeUndefined();
    const message = t.one("push", "ws bid");
    expect(t.parent(message)?.spanID).toBe(click.spanID);
    expect(t.tag(message, "gavel.push.replica")).toBe("push-b");
    const placed = t.one("bidding", "gavel.bidding.v1.BiddingService/PlaceBid");
    expect(t.descends(placed, message)).toBe(true);
    const append = t.find("bidding", "send gavel.lot.{lot_id}").find((s) => t.descends(s, placed));
    expect(append).toBeDefined();
    // ...a delivery on each replica that follows the lot...
    const deliveries = t.find("push", "deliver gavel.lot.{lot_id}");
    expect(deliveries.every((d) => t.parent(d)?.spanID === append!.spanID)).toBe(true);
    expect(new Set(deliveries.map((d) => d.processID)).size).toBe(2);
    // ...and the notifier's outbid notice, delivered to Ann's SSE stream.
    const noticed = t
      .find("notifier", "process gavel.lot.{lot_id}")
      .find((s) => t.parent(s)?.spanID === append!.spanID);
    expect(noticed).toBeDefined();
    const sseDelivery = t.find("push", "deliver gavel.notify.{user_id}");
    expect(sseDelivery.some((d) => t.descends(d, noticed!))).toBe(true);
    expect(sseDelivery.some((d) => Number(t.tag(d, "gavel.push.sse_receivers")) >= 1)).toBe(true);

    // The page lists those services, in a table that passes the accessibility audit.
    await expect
      .poll(() => servicesDrawn(bobPage), { timeout: 20_000 })
      .toEqual(expect.arrayContaining(["web", "push", "bidding", "catalog", "notifier"]));
    expect(await waterfall(bobPage).locator("tbody tr td:nth-child(3)").allTextContents()).toEqual(
      expect.arrayContaining(["Browser", "WebSocket", "Connect", "NATS", "SSE"]),
    );
    expect(await wcagViolations(bobPage)).toEqual([]);
    await waterfall(bobPage).screenshot({ path: `${RESULTS_DIR}trace-waterfall.png` });

    // On a phone the table scrolls in its own box; the page itself never scrolls sideways.
    await expect.poll(() => servicesDrawn(annPage), { timeout: 20_000 }).toContain("bidding");
    const overflow = await annPage.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await wcagViolations(annPage)).toEqual([]);
    await screenshot(annPage, "trace-waterfall-phone");

    // When the lot closes, the same trace runs on into settlement (Go) and the invoice.
    await expect
      .poll(() => servicesDrawn(bobPage), { timeout: 60_000, interval: 1000 })
      .toContain("settlement");
  }, 150_000);
});
