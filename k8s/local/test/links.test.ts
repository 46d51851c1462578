import { expect, test } from "vitest";
import { walkToLiveEvents } from "../../../scripts/dev/walk-links.ts";
import { ingressUrl } from "./cluster.ts";

// The chart's setup: the Ingress serves the edge and the push gateway on one origin, so
// the edge leaves a lot's live-feed links relative (no GAVEL_PUSH_PUBLIC_URL) and a client
// resolves them against that origin, as it does every other link. npm start's setup, with
// the gateway on its own port, is scripts/dev/local-stack.test.ts, walking the same way.

test("a client following the links from /v1 through the Ingress sees a bid on the lot's stream and socket", async () => {
  const ingress = await ingressUrl();
  const walk = await walkToLiveEvents(ingress);
  expect(walk.streamUrl).toBe(new URL(`/sse/lots/${walk.lotId}`, ingress).href);
  expect(walk.websocketUrl).toBe(new URL("/ws", ingress).href.replace(/^http/, "ws"));
  expect(walk.websocketEvent).toEqual({
    channel: `lot:${walk.lotId}`,
    seq: walk.sequence,
    event: "bid_accepted",
  });
});
