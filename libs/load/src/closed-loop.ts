import { Progress, type Attempt } from "./progress.ts";

export interface LoopOptions {
  /** Workers, each sending its next request when its last one answered. */
  workers: number;
  seconds: number;
  /**
   * One request; a throw counts as failed, with the error's message as the problem. After
   * a failure the worker waits 100 ms (not counted in the latency), so a server that is
   * down is not hammered by a hot loop.
   */
  step: (worker: number, i: number) => Promise<Attempt>;
  /** Names the progress lines, e.g. "tracing on, run 2/3". */
  label?: string;
  /** What an accepted request is, in the progress lines (default "bids"). */
  noun?: string;
  /** Where a progress line goes every `progressSeconds` on runs longer than that. */
  onProgress?: (line: string) => void;
  progressSeconds?: number;
}

export interface LoopResult {
  requests: number;
  accepted: number;
  refused: number;
  failed: number;
  /** Every request's latency, in the order they finished. */
  latenciesMs: number[];
  lastProblem: string | undefined;
}

/** How long a worker waits after a failed request before its next one. */
const FAILURE_PAUSE_MS = 100;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A closed-loop load: `workers` concurrent request loops for `seconds`, each request timed.
 * What the benchmarks and the loadgen's --workers mode run, so their figures mean the same.
 */
export async function closedLoop(options: LoopOptions): Promise<LoopResult> {
  const progress = new Progress(options.label ?? "loadgen", options.noun);
  const latenciesMs: number[] = [];
  const every = (options.progressSeconds ?? 10) * 1000;
  const ticker =
    options.onProgress && options.seconds * 1000 > every
      ? setInterval(() => options.onProgress!(progress.line()), every)
      : undefined;
  const deadline = performance.now() + options.seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: options.workers }, async (_, worker) => {
        for (let i = 0; performance.now() < deadline; i++) {
          const started = performance.now();
          let attempt: Attempt;
          try {
            attempt = await options.step(worker, i);
          } catch (err) {
            attempt = { outcome: "failed", problem: err instanceof Error ? err.message : `${err}` };
          }
          latenciesMs.push(performance.now() - started);
          progress.record(attempt);
          // A dead server fails at once: don't spin on it, a retry a moment later will do.
          if (attempt.outcome === "failed") await pause(FAILURE_PAUSE_MS);
        }
      }),
    );
  } finally {
    clearInterval(ticker);
  }
  return {
    ...progress.counts,
    requests: progress.requests,
    latenciesMs,
    lastProblem: progress.lastProblem,
  };
}
