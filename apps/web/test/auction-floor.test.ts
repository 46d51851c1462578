import { randomUUID } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mintShortToken } from "@gavel/testing";
import { wcagViolations } from "./accessibility.ts";
import { bidFromPage, DESKTOP, launchChromium, PHONE, screenshot, signInPage } from "./browser.ts";
import { JAEGER_UI, signUp, startWebStack, type WebStack } from "./web-stack.ts";

const PASSWORD = "correct horse battery";

let stack: WebStack;
let browser: Browser;
const users: Record<
  "sam" | "ann" | "bob" | "cy",
  { email: string; id: string; authorization: string }
> = {} as never;
let lotId: string;
let ann: Page;
let bob: Page;

beforeAll(async () => {
  stack = await startWebStack(inject("natsUrl"));
  browser = await launchChromium();
  for (const [key, name] of [
    ["sam", "Sam (seller)"],
    ["ann", "Ann"],
    ["bob", "Bob"],
    ["cy", "Cy"],
  ] as const) {
    const email = `${key}-${randomUUID().slice(0, 8)}@gavel.test`;
    users[key] = { email, ...(await signUp(stack.origin, email, name, PASSWORD)) };
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  expect(await stack?.stop()).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
});

const signedIn = (who: keyof typeof users, viewport = DESKTOP, origin = stack.origin) =>
  signInPage(browser, origin, { email: users[who].email, password: PASSWORD }, viewport);

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent();
const connection = (page: Page) => text(page, "connection");

async function bidOverRest(who: keyof typeof users, amountMinor: number) {
  const res = await fetch(`${stack.origin}/v1/lots/${lotId}/bids`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: users[who].authorization },
    body: JSON.stringify({ amount: { currency: "EUR", amount_minor: amountMinor } }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

describe("the auction floor in a real browser", () => {
  it("serves the page at / with its runtime config, and lists a seller's new lot", async () => {
    const index = await fetch(`${stack.origin}/`, { headers: { accept: "text/html" } });
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const script = /src="(\/assets\/main-[A-Z0-9]+\.js)"/.exec(await index.text())![1]!;
    const asset = await fetch(`${stack.origin}${script}`);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");

    const sam = await signedIn("sam");
    await sam.getByRole("link", { name: "Sell", exact: true }).click();
    await sam.getByLabel("Title").fill("Mahogany writing desk");
    await sam.getByLabel("Starting price (EUR)").fill("10");
    await sam.getByLabel("Runs for (minutes)").fill("30");
    await sam.getByRole("button", { name: "List the lot" }).click();
    await sam.waitForURL(/\/lots\/[^/]+$/);
    lotId = new URL(sam.url()).pathname.split("/").pop()!;
    await expect
      .poll(() => sam.getByRole("heading", { level: 1 }).textContent())
      .toBe("Mahogany writing desk");
    await expect.poll(() => sam.getByText("You are selling this lot.").count()).toBe(1);
    await screenshot(sam, "1-seller-lists-a-lot");

    // A reload of a client route gets the page again (the edge's SPA fallback).
    await sam.reload();
    await expect.poll(() => text(sam, "time-left"), { timeout: 10_000 }).toMatch(/\d+m \d+s/);
    await sam.context().close();
  });

  it("shows A's bid to B within a second, and tells B over SSE that they were outbid", async () => {
    ann = await signedIn("ann");
    bob = await signedIn("bob", PHONE);
    for (const page of [ann, bob]) {
      await page.goto(`${stack.origin}/lots/${lotId}`);
      await expect.poll(() => connection(page), { timeout: 10_000 }).toBe("Live");
      await expect.poll(() => text(page, "highest-bid")).toContain("starts at 10.00 EUR");
    }

    await bidFromPage(bob, "10");
    await expect.poll(() => bob.locator("#bid-status").textContent()).toContain("is the highest");
    await expect.poll(() => text(ann, "highest-bid")).toBe("10.00 EUR");

    await bidFromPage(ann, "12");
    const clicked = Date.now();
    await expect
      .poll(() => text(bob, "highest-bid"), { timeout: 1000, interval: 20 })
      .toBe("12.00 EUR");
    const seenAfterMs = Date.now() - clicked;
    console.log(`B saw A's bid ${seenAfterMs} ms after A clicked`);
    expect(seenAfterMs).toBeLessThan(1000);

    const outbid = bob.getByTestId("toast").filter({ hasText: "outbid" });
    await expect.poll(() => outbid.count(), { timeout: 10_000 }).toBe(1);
    expect(await outbid.textContent()).toContain("12.00 EUR");
    await expect
      .poll(() => bob.getByTestId("deliveries").textContent())
      .toMatch(/SSE.*notification: outbid/);
    const deliveries = await bob.getByTestId("deliveries").textContent();
    expect(deliveries).toMatch(/WebSocket ?bid_accepted #\d+: 12\.00 EUR/);
    expect(await bob.getByTestId("bid-list").locator("li").first().textContent()).toMatch(
      /^12\.00 EUR by Ann /,
    );
    expect(deliveries).toMatch(/GraphQL ?query LotPage \(persisted query/);
    expect(await bob.getByTestId("trace-link").getAttribute("href")).toMatch(
      new RegExp(`^${JAEGER_UI}/trace/[0-9a-f]{32}$`),
    );
    await bob.getByRole("button", { name: "Watch this lot" }).click();
    await expect.poll(() => bob.getByRole("button", { name: "Watching" }).count()).toBe(1);
    await screenshot(ann, "2-bidder-a-desktop");
    await screenshot(bob, "2-bidder-b-phone-outbid");
  });

  it("misses nothing when the network drops and comes back", async () => {
    // From the keyboard alone this time: the field by its label, Enter submits.
    await bob.getByLabel(/Your bid/).focus();
    await bob.keyboard.press("ControlOrMeta+A");
    await bob.keyboard.type("13");
    await bob.keyboard.press("Enter");
    await expect.poll(() => text(ann, "highest-bid")).toBe("13.00 EUR");

    stack.proxy.cut();
    for (const page of [ann, bob]) {
      await expect.poll(() => connection(page), { timeout: 5000 }).toBe("Reconnecting…");
    }
    await bidOverRest("cy", 1500); // outbids Bob, who is offline
    await bidOverRest("ann", 1700);
    await screenshot(bob, "3-bidder-b-offline");
    expect(await text(bob, "highest-bid")).toBe("13.00 EUR");

    stack.proxy.restore();
    for (const page of [ann, bob]) {
      await expect.poll(() => connection(page), { timeout: 15_000 }).toBe("Live");
      await expect.poll(() => text(page, "highest-bid"), { timeout: 5000 }).toBe("17.00 EUR");
      const amounts = await page.getByTestId("bid-list").locator("li strong").allTextContents();
      expect(amounts).toEqual(["17.00 EUR", "15.00 EUR", "13.00 EUR", "12.00 EUR", "10.00 EUR"]);
      expect(await text(page, "bid-count")).toBe("5");
    }
    const missed = bob.getByTestId("toast").filter({ hasText: "15.00 EUR" });
    await expect.poll(() => missed.count(), { timeout: 15_000 }).toBe(1);
    expect(await bob.getByTestId("deliveries").textContent()).toContain(
      "caught up after reconnecting",
    );
    await screenshot(bob, "4-bidder-b-back-online");
  });

  it("moves the countdown when a late bid extends the lot (anti-sniping)", async () => {
    const res = await fetch(`${stack.origin}/v1/lots`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: users.sam.authorization },
      body: JSON.stringify({
        title: "Last-minute lot",
        starting_price: { currency: "EUR", amount_minor: 500 },
        ends_at: new Date(Date.now() + 30_000).toISOString(),
        snipe_window_seconds: 120,
      }),
    });
    lotId = ((await res.json()) as { id: string }).id;
    await bob.goto(`${stack.origin}/lots/${lotId}`);
    await expect.poll(() => text(bob, "time-left"), { timeout: 10_000 }).toMatch(/^\d+s$/);

    await bidOverRest("cy", 500); // inside the 120 s window: the end moves to now + 120 s
    await expect
      .poll(() => text(bob, "time-left"), { timeout: 5000 })
      .toMatch(/^(1m 5\ds|2m 00s)$/);
    expect(await bob.locator(".extension").textContent()).toContain("A late bid extended the lot");
    expect(await bob.getByTestId("bid-list").textContent()).toContain("extended the lot");
    await screenshot(bob, "5-bidder-b-sees-an-extension");
  });

  it("works on one origin with relative URLs, as behind the chart's Ingress", async () => {
    const config = await (await fetch(`${stack.ingressOrigin}/config.json`)).json();
    // The page's spans go to the edge, which relays them to the stack's OTLP receiver.
    expect(config).toEqual({
      bffUrl: "",
      pushUrl: "",
      jaegerUrl: "",
      otlpTracesUrl: "/otlp/v1/traces",
      traceViewUrl: "",
    });
    const cy = await signedIn("cy", PHONE, stack.ingressOrigin);
    await cy.goto(`${stack.ingressOrigin}/lots/${lotId}`);
    await expect.poll(() => connection(cy), { timeout: 10_000 }).toBe("Live");
    await expect.poll(() => text(cy, "highest-bid")).toBe("5.00 EUR"); // Cy's, from before
    await bidOverRest("ann", 700);
    await expect.poll(() => text(cy, "highest-bid")).toBe("7.00 EUR");
    await bidFromPage(cy, "8");
    await expect.poll(() => cy.locator("#bid-status").textContent()).toContain("is the highest");
    await expect.poll(() => text(bob, "highest-bid")).toBe("8.00 EUR");

    await bidOverRest("ann", 900);
    await expect.poll(() => text(cy, "highest-bid")).toBe("9.00 EUR");
    const outbid = cy.getByTestId("toast").filter({ hasText: "9.00 EUR" });
    await expect.poll(() => outbid.count(), { timeout: 10_000 }).toBe(1);
    await screenshot(cy, "6-same-origin-behind-an-ingress");
  });

  it("imports a seller's lots from NDJSON, showing the progress the edge streams as SSE", async () => {
    const sam = await signedIn("sam");
    await sam.goto(`${stack.origin}/sell`);
    await sam.getByRole("link", { name: "Import them from a file" }).click();
    await sam.waitForURL(/\/sell\/import$/);
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const lot = (title: string) =>
      JSON.stringify({
        title,
        starting_price: { currency: "EUR", amount_minor: 1500 },
        ends_at: endsAt,
      });
    const lines = [
      lot("Imported clock"),
      '{"title": "Broken',
      lot("Imported vase"),
      lot("Imported rug"),
    ];
    await sam.getByLabel("A file of lots (NDJSON)").setInputFiles({
      name: "lots.ndjson",
      mimeType: "application/x-ndjson",
      buffer: Buffer.from(lines.join("\n") + "\n"),
    });
    await sam.getByRole("button", { name: "Import" }).click();

    await expect.poll(() => text(sam, "import-summary")).toBe("3 lots created, 1 line failed.");
    expect(await text(sam, "import-status")).toBe("Done: 3 created, 1 failed.");
    expect(
      await sam.locator("#import-progress").evaluate((p: HTMLProgressElement) => [p.value, p.max]),
    ).toEqual([4, 4]);
    expect(await text(sam, "import-failures")).toMatch(/^Line 2: not JSON/);
    await screenshot(sam, "7-seller-imports-lots");
    await sam.getByTestId("import-created").getByRole("link", { name: "Imported vase" }).click();
    await expect
      .poll(() => sam.getByRole("heading", { level: 1 }).textContent())
      .toBe("Imported vase");
    await sam.context().close();
  });

  it("signs the page out when its token expires, told by the notification stream", async () => {
    const page = await signedIn("cy");
    // The same user with a token of one second (accepted five more), which the page is
    // told lasts a minute: only the push gateway ends the session.
    const short = await mintShortToken(users.cy.id, 1);
    const expiresAt = new Date(short.expiresAt.getTime() + 60_000).toISOString();
    await page.evaluate(
      ({ token, expiresAt }) => {
        const session = JSON.parse(sessionStorage.getItem("gavel.session")!) as object;
        sessionStorage.setItem("gavel.session", JSON.stringify({ ...session, token, expiresAt }));
      },
      { token: short.token, expiresAt },
    );
    await page.reload();
    await page.getByTestId("signed-in-as").waitFor();
    const expired = page.getByTestId("toast").filter({ hasText: "session expired" });
    await expect.poll(() => expired.count(), { timeout: 15_000 }).toBe(1);
    expect(Date.now()).toBeGreaterThanOrEqual(short.expiresAt.getTime() + 5_000);
    expect(await page.getByTestId("signed-in-as").count()).toBe(0);
    await page.getByRole("link", { name: "Sign in", exact: true }).waitFor();
    await page.context().close();
  });

  it("passes an automated WCAG 2 A/AA audit (axe-core) on every view, on a phone and a desktop", async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      const page = await signedIn("cy", viewport);
      // Each view once its data is in: the audit must see what a person sees.
      const views: Array<[string, () => Promise<unknown>]> = [
        ["/", () => page.getByTestId("lot-list").locator("li").first().waitFor()],
        [
          `/lots/${lotId}`,
          () => expect.poll(() => page.locator("#lot-title").textContent()).not.toBe("Loading…"),
        ],
        ["/sell", () => page.locator("#sell-heading").waitFor()],
        ["/sell/import", () => page.locator("#import-heading").waitFor()],
      ];
      for (const [path, ready] of views) {
        await page.goto(`${stack.origin}${path}`);
        await ready();
        expect(await wcagViolations(page), `${path} at ${viewport.width} px`).toEqual([]);
      }
      await page.context().close();
    }
    const anonymous = await browser.newPage({ viewport: PHONE });
    await anonymous.goto(`${stack.origin}/sign-in`);
    await anonymous.getByLabel("Email").waitFor();
    expect(await wcagViolations(anonymous), "/sign-in").toEqual([]);
    await anonymous.close();
  });
});
