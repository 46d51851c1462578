import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const axeSource: string = (createRequire(import.meta.url)("axe-core") as { source: string }).source;

/** One rule the page breaks, with where: what a failing test prints. */
export interface Violation {
  rule: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (the engine behind Lighthouse's and browsers' accessibility audits) in
 * the page against WCAG 2.x level A and AA, and answers what it found.
 */
export async function wcagViolations(page: Page): Promise<Violation[]> {
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') rightly
  // refuses an injected inline script.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(...args: unknown[]): Promise<unknown> } }).axe;
    const result = (await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    })) as {
      violations: Array<{
        id: string;
        impact?: string | null;
        help: string;
        nodes: Array<{ target: unknown[] }>;
      }>;
    };
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(" ")),
    }));
  });
}
