import { setTimeout as sleep } from "node:timers/promises";
import { Agent, interceptors, request, type Dispatcher } from "undici";
import { describe, expect, it } from "vitest";
import * as shapes from "../src/api/response-schemas.ts";
import { lotBody, postJson, signedInUser, useEdgeStack } from "./edge-stack.ts";

const stack = useEdgeStack();

/** What went past the cache to the edge: an interceptor composed below undici's cache. */
function networkLog() {
  const sent: Array<{ path: string; conditional: boolean }> = [];
  const counter: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
    sent.push({
      path: opts.path,
      conditional: JSON.stringify(opts.headers ?? {})
        .toLowerCase()
        .includes("if-none-match"),
    });
    return dispatch(opts, handler);
  };
  return { sent, counter };
}

describe("behind a real shared HTTP cache (undici's cache interceptor)", () => {
  it("serves a repeated read from the cache, revalidates with 304, and picks up a new bid", async () => {
    const seller = await signedInUser(stack.base);
    const lot = shapes.Lot.parse(
      await (await postJson(`${stack.base}/v1/lots`, lotBody(), seller.auth)).json(),
    );
    const { sent, counter } = networkLog();
    // compose(a, b) wraps b around a: requests meet the cache first, the counter only on a miss.
    const cached = new Agent().compose(counter, interceptors.cache({ type: "shared" }));
    const read = async () => {
      const response = await request(`${stack.base}/v1/lots/${lot.id}`, { dispatcher: cached });
      return shapes.Lot.parse(await response.body.json());
    };

    expect((await read()).bid_count).toBe(0);
    expect((await read()).bid_count).toBe(0);
    expect(sent).toHaveLength(1); // the second read never reached the edge

    await sleep(5_200); // past max-age=5: the next read revalidates
    expect((await read()).bid_count).toBe(0);
    await expect.poll(() => sent.length).toBe(2);
    expect(sent[1]?.conditional).toBe(true); // If-None-Match, answered 304: the body came from the cache

    const bidder = await signedInUser(stack.base);
    const bid = await postJson(
      `${stack.base}/v1/lots/${lot.id}/bids`,
      { amount: { currency: "EUR", amount_minor: 1000 } },
      bidder.auth,
    );
    expect(bid.status).toBe(201);
    await sleep(5_200);
    // stale-while-revalidate may hand out the old copy once while it revalidates.
    await expect
      .poll(async () => (await read()).bid_count, { timeout: 10_000, interval: 200 })
      .toBe(1);
    expect(sent.filter((s) => s.conditional).length).toBeGreaterThanOrEqual(2);
    await cached.close();
  });

  it("never stores a read made with a token in a shared cache", async () => {
    const user = await signedInUser(stack.base);
    const { sent, counter } = networkLog();
    const cached = new Agent().compose(counter, interceptors.cache({ type: "shared" }));
    for (let i = 0; i < 2; i++) {
      const response = await request(`${stack.base}/v1/lots`, {
        dispatcher: cached,
        headers: user.auth,
      });
      await response.body.dump();
    }
    expect(sent).toHaveLength(2);
    await cached.close();
  });
});
