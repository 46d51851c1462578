import { expect } from "vitest";
import type { RoundResult } from "../src/round.ts";

/** What every round must show: no broken guarantee, no wrong answer, every replica up. */
export function expectHeld(result: RoundResult): void {
  expect(result.verdict.violations).toEqual([]);
  expect(result.wrong).toEqual([]);
  expect(result.health).toEqual({ down: [], crashes: {} });
  // The round measured something: bids were acknowledged and delivered, lots sold.
  expect(result.verdict.counts.acked).toBeGreaterThan(0);
  expect(result.verdict.counts.delivered).toBeGreaterThan(0);
  expect(result.verdict.counts.sold).toBeGreaterThan(0);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
