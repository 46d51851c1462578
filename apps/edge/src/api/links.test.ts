import { LotStatus } from "@gavel/proto/catalog/v1/catalog";
import { describe, expect, it } from "vitest";
import { invoiceDue, links } from "./links.ts";
import { pushPaths } from "./push-paths.ts";

const lot = {
  id: "lot-1",
  sellerId: "seller-1",
  status: LotStatus.OPEN,
  winnerId: "",
  reserveMet: true,
};
const relative = pushPaths("");

describe("the push gateway's links", () => {
  it("are relative to the edge unless a public push URL is set, as behind the chart's Ingress", () => {
    expect(links.lot(lot, relative).stream).toEqual({
      href: "/sse/lots/lot-1",
      type: "text/event-stream",
    });
    expect(links.lot(lot, relative).websocket?.href).toBe("/ws");
    expect(links.root(relative).websocket?.href).toBe("/ws");
  });

  it("point at the public push URL when one is set, the WebSocket over ws(s)", () => {
    const local = pushPaths("http://127.0.0.1:8090");
    expect(links.lot(lot, local).stream?.href).toBe("http://127.0.0.1:8090/sse/lots/lot-1");
    expect(links.lot(lot, local).websocket?.href).toBe("ws://127.0.0.1:8090/ws");
    expect(links.root(local).websocket?.href).toBe("ws://127.0.0.1:8090/ws");

    const behindPath = pushPaths("https://push.example.com/live/");
    expect(links.lot(lot, behindPath).stream?.href).toBe(
      "https://push.example.com/live/sse/lots/lot-1",
    );
    expect(links.root(behindPath).websocket?.href).toBe("wss://push.example.com/live/ws");
  });

  it("leave the API's own links relative", () => {
    const local = pushPaths("http://127.0.0.1:8090");
    expect(links.lot(lot, local).self?.href).toBe("/v1/lots/lot-1");
    expect(links.root(local).lots?.href).toMatch(/^\/v1\/lots\{/);
  });
});

describe("a lot's invoice link", () => {
  const cases: Array<[string, Partial<typeof lot>, boolean]> = [
    ["open, just created", {}, false],
    ["cancelled", { status: LotStatus.CANCELLED }, false],
    ["closed without a bid", { status: LotStatus.CLOSED }, false],
    ["closed under its reserve", { status: LotStatus.CLOSED, reserveMet: false }, false],
    [
      "closed with a winner but the reserve not met",
      { status: LotStatus.CLOSED, winnerId: "buyer-1", reserveMet: false },
      false,
    ],
    ["closed sold", { status: LotStatus.CLOSED, winnerId: "buyer-1" }, true],
  ];

  it.each(cases)("is offered on a lot %s only where settlement issues one", (_, change, due) => {
    const shown = { ...lot, ...change };
    expect(invoiceDue(shown)).toBe(due);
    expect(links.lot(shown, relative).invoice).toEqual(
      due ? { href: "/v1/lots/lot-1/invoice", title: "buyer and seller only" } : undefined,
    );
  });
});
