import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

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

export const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: `${RESULTS_DIR}${name}.png`, fullPage: true });
