import { describe, expect, it } from "vitest";
import { closedLoop } from "./closed-loop.ts";
import { Progress, type Attempt } from "./progress.ts";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("closedLoop", () => {
  it("runs every worker until the time is up, timing and counting each request", async () => {
    const seen = new Set<number>();
    const outcomes: Attempt["outcome"][] = ["accepted", "refused", "failed"];
    const result = await closedLoop({
      workers: 3,
      seconds: 0.3,
      step: async (worker, i) => {
        seen.add(worker);
        await pause(10);
        return { outcome: outcomes[i % 3]!, problem: i % 3 ? `problem ${i}` : undefined };
      },
    });
    expect([...seen].sort()).toEqual([0, 1, 2]);
    // About 3 workers × 30 requests of 10 ms; timers on a busy machine only make it fewer.
    expect(result.requests).toBeGreaterThan(15);
    expect(result.requests).toBeLessThanOrEqual(3 * 31);
    expect(result.accepted + result.refused + result.failed).toBe(result.requests);
    expect(result.accepted).toBeGreaterThanOrEqual(result.refused);
    expect(result.latenciesMs).toHaveLength(result.requests);
    expect(Math.min(...result.latenciesMs)).toBeGreaterThanOrEqual(9);
    expect(result.lastProblem).toMatch(/^problem \d+$/);
  });

  it("counts a step that throws as failed, with its message, and goes on", async () => {
    const result = await closedLoop({
      workers: 1,
      seconds: 0.1,
      step: async (_, i) => {
        await pause(5);
        if (i === 0) throw new Error("connection reset");
        return { outcome: "accepted" };
      },
    });
    expect(result.failed).toBe(1);
    expect(result.accepted).toBe(result.requests - 1);
    expect(result.lastProblem).toBe("connection reset");
  });

  it("prints progress lines on runs longer than their interval, and none on short ones", async () => {
    const lines: string[] = [];
    const step = async (): Promise<Attempt> => (await pause(5), { outcome: "accepted" });
    await closedLoop({
      workers: 2,
      seconds: 1.1,
      step,
      label: "test run",
      onProgress: (line) => lines.push(line),
      progressSeconds: 0.25,
    });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toMatch(
      /^\[test run \d+s\] bids accepted \d+ \([\d.]+\/s\), refused 0, failed 0$/,
    );
    const short: string[] = [];
    await closedLoop({ workers: 1, seconds: 0.2, step, onProgress: (l) => short.push(l) });
    expect(short).toEqual([]);
  });
});

describe("Progress", () => {
  it("names what was accepted, bids unless told otherwise", () => {
    const closes = new Progress("2 closes/s", "closes");
    closes.record({ outcome: "accepted" });
    closes.record({ outcome: "failed", problem: "503 Service error" });
    expect(closes.line()).toMatch(
      /^\[2 closes\/s \d+s\] closes accepted 1 \(.+\/s\), refused 0, failed 1 \(last: 503 Service error\)$/,
    );
    expect(new Progress().line()).toMatch(/^\[loadgen \d+s\] bids accepted 0 /);
  });
});
