export interface UntilHttpOkOptions {
  /** How long to keep asking. */
  timeoutMs: number;
  /** The pause between two asks; default 100 ms. */
  intervalMs?: number;
  /** True once the process that should answer has exited: no point asking further. */
  gone?: () => boolean;
}

/**
 * Asks `url` until it answers 2xx, the way a readiness probe does: "ok" then; "gone" as
 * soon as the process that should answer has exited; "timeout" when the time is up. A
 * refused connection is "not yet", not an error.
 */
export async function untilHttpOk(
  url: string,
  options: UntilHttpOkOptions,
): Promise<"ok" | "gone" | "timeout"> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.gone?.()) return "gone";
    const ok = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return "ok";
    if (Date.now() >= deadline) return "timeout";
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}
