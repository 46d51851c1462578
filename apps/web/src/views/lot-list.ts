import type { View } from "../app-context.ts";
import { everySecond, formatTimeLeft, isClosingSoon } from "../countdown.ts";
import { fill, h } from "../element.ts";
import { formatMoney } from "../money.ts";
import { LOT_LIST, type LotListData, type LotSummary } from "../operations.ts";
import { currentSession } from "../session.ts";

const REFRESH_MS = 10_000;

/** Open lots, ending soonest first: one GraphQL query, refreshed every few seconds. */
export const lotList: View = (root, context) => {
  const list = h("ul", { class: "lot-list", "data-testid": "lot-list" });
  const summary = h("p", { class: "summary", role: "status" }, "Loading lots…");
  const countdowns: Array<{ element: HTMLElement; endsAt: Date }> = [];
  const session = currentSession();
  fill(
    root,
    h("h1", { tabindex: -1 }, "Open lots"),
    h(
      "p",
      { class: "intro" },
      "Lists come over GraphQL, bids travel over a WebSocket, your notifications over Server-Sent Events, and every lot is also a REST resource. ",
      session
        ? h("a", { href: "/sell", "data-link": true }, "Sell a lot")
        : h("a", { href: "/sign-in", "data-link": true }, "Sign in to bid or sell"),
      ".",
    ),
    summary,
    list,
  );

  let stopped = false;
  const stopClock = everySecond((now) => {
    for (const { element, endsAt } of countdowns) {
      element.textContent = formatTimeLeft(endsAt, now);
      element.classList.toggle("urgent", isClosingSoon(endsAt, now));
    }
  });
  const timer = setInterval(() => void load(), REFRESH_MS);
  void load();
  return () => {
    stopped = true;
    clearInterval(timer);
    stopClock();
  };

  async function load() {
    try {
      const { data } = await context.graphql.request<LotListData>(LOT_LIST, { first: 30 });
      if (stopped) return;
      countdowns.length = 0;
      const lots = data.lots.edges.map((e) => e.node);
      summary.textContent = `${data.lots.totalCount} open lot${data.lots.totalCount === 1 ? "" : "s"}.`;
      fill(list, ...lots.map(card));
    } catch (err) {
      summary.textContent = `Could not load lots: ${err instanceof Error ? err.message : err}`;
    }
  }

  function card(lot: LotSummary) {
    const left = h("span", { class: "time-left" });
    if (lot.endsAt) {
      const endsAt = new Date(lot.endsAt);
      left.textContent = formatTimeLeft(endsAt, new Date());
      countdowns.push({ element: left, endsAt });
    }
    const price = lot.highestBid
      ? formatMoney(lot.highestBid)
      : `starts at ${formatMoney(lot.startingPrice)}`;
    return h(
      "li",
      { class: "lot-card" },
      h("a", { href: `/lots/${lot.id}`, "data-link": true, class: "lot-title" }, lot.title),
      h("span", { class: "price" }, price),
      h("span", { class: "meta" }, `${lot.bidCount} bid${lot.bidCount === 1 ? "" : "s"} · `, left),
    );
  }
};
