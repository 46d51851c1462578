import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

/** Where screenshots go (gitignored; CI keeps them as artifacts). */
export const RESULTS_DIR = fileURLToPath(new URL("../test-results/", import.meta.url));

/** Debian's Chromium (apt-get install chromium), driven by playwright-core. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: process.env.GAVEL_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** A fresh browser context (its own storage: its own user) signed in through the page. */
export async function signInPage(
  browser: Browser,
  origin: string,
  credentials: { email: string; password: string },
  viewport = DESKTOP,
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${origin}/sign-in`);
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("signed-in-as").waitFor();
  return page;
}

/** Types an amount into the lot page's bid form and sends it. */
export async function bidFromPage(page: Page, amount: string): Promise<void> {
  await page.getByLabel(/Your bid/).fill(amount);
  await page.getByRole("button", { name: "Place bid" }).click();
}

export const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: `${RESULTS_DIR}${name}.png`, fullPage: true });
