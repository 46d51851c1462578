import { get } from "node:http";

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
    if (await answersOk(url)) return "ok";
    if (Date.now() >= deadline) return "timeout";
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}

/**
 * One ask, 2xx or not, over node:http rather than fetch: npm start's launcher asks every
 * service, and fetch would load undici and its WASM parser into it for hours (~17 MiB).
 */
function answersOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(url, { timeout: 5_000, agent: false }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(status >= 200 && status < 300);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(false));
  });
}
