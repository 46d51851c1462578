import type { View } from "../app-context.ts";
import { everySecond, formatTimeLeft, isClosingSoon } from "../countdown.ts";
import { fill, h } from "../element.ts";
import { applyLotEvent, lotViewOf, type LotEventFrame, type LotView } from "../lot-state.ts";
import { formatMoney, fromProto } from "../money.ts";
import {
  LOT_PAGE,
  USER_NAME,
  WATCH_LOT,
  type LotPageData,
  type UserNameData,
  type WatchLotData,
} from "../operations.ts";
import { logDelivery } from "../protocol-log.ts";
import type { EventFrame } from "../push-messages.ts";
import { currentSession } from "../session.ts";
import { bidForm } from "./bid-form.ts";
import { renderBids } from "./bid-list.ts";
import { protocolPanel } from "./protocol-panel.ts";

/**
 * One lot, live: loaded with one GraphQL query, then moved on by its WebSocket events.
 * The page follows the channel before it queries, holding events until the query answers,
 * so nothing between the two is lost; a bid the query already had changes nothing.
 */
export function lotPage(lotId: string): View {
  return (root, context) => {
    let lot: LotView | undefined;
    const held: EventFrame[] = [];
    const names = new Map<string, string>();
    const stops: Array<() => void> = [];

    let unfollow = context.push.follow(`lot:${lotId}`, (frame) => {
      if (lot) onEvent(frame);
      else held.push(frame);
    });
    stops.push(() => unfollow());

    const title = h("h1", { id: "lot-title", tabindex: -1 }, "Loading…");
    const seller = h("p", { class: "seller" });
    const description = h("p", { class: "description" });
    const highest = h("dd", { "data-testid": "highest-bid", "aria-live": "polite" });
    const timeLeft = h("dd", { "data-testid": "time-left" });
    const bidCount = h("dd", { "data-testid": "bid-count" });
    const extension = h("p", { class: "extension", role: "status" });
    const outcome = h("p", { class: "outcome", "data-testid": "outcome" });
    const bids = h("ol", { class: "bids", "data-testid": "bid-list" });
    const form = bidForm(context, () => lot!);
    const bidArea = h("div", { class: "bid-area" });
    const panel = protocolPanel(lotId, context.config);
    stops.push(panel.stop);

    fill(
      root,
      h(
        "article",
        { class: "lot", "aria-labelledby": "lot-title" },
        h("p", {}, h("a", { href: "/", "data-link": true }, "← All lots")),
        title,
        seller,
        description,
        h(
          "dl",
          { class: "facts" },
          h("div", {}, h("dt", {}, "Highest bid"), highest),
          h("div", {}, h("dt", {}, "Time left"), timeLeft),
          h("div", {}, h("dt", {}, "Bids"), bidCount),
        ),
        extension,
        outcome,
        bidArea,
        h(
          "section",
          { "aria-labelledby": "bids-heading" },
          h("h2", { id: "bids-heading" }, "Bids"),
          bids,
        ),
        panel.element,
      ),
    );

    void load();
    return () => stops.forEach((stop) => stop());

    async function load() {
      try {
        const { data, persisted, ms } = await context.graphql.request<LotPageData>(LOT_PAGE, {
          id: lotId,
        });
        const loaded = data.lot;
        if (!loaded) {
          title.textContent = "No such lot";
          return;
        }
        for (const user of [
          loaded.seller,
          loaded.winner,
          data.viewer?.user,
          ...loaded.bids.edges.map((e) => e.node.bidder),
        ]) {
          if (user) names.set(user.id, user.displayName);
        }
        lot = lotViewOf(loaded);
        logDelivery(lotId, {
          protocol: "GraphQL",
          what: `query LotPage (${persistedText(persisted)}, ${ms} ms)`,
        });
        document.title = `${lot.title} · Gavel`;
        title.textContent = lot.title;
        seller.textContent = `Sold by ${names.get(lot.sellerId)}`;
        description.textContent = lot.description;
        renderBidArea();
        for (const frame of held.splice(0)) onEvent(frame);
        if (lot.status !== "OPEN") {
          // A lot that no longer changes: its stored events bring the traces of its bids
          // and of its close, for the panel.
          unfollow();
          unfollow = context.push.follow(`lot:${lotId}`, onEvent, { fromStart: true });
        }
        update();
        stops.push(everySecond(tick));
      } catch (err) {
        title.textContent = "Could not load the lot";
        outcome.textContent = err instanceof Error ? err.message : String(err);
      }
    }

    function renderBidArea() {
      const session = currentSession();
      if (!session) {
        fill(
          bidArea,
          h(
            "p",
            {},
            h("a", { href: `/sign-in?next=/lots/${lotId}`, "data-link": true }, "Sign in"),
            " to bid.",
          ),
        );
      } else if (session.user.id === lot!.sellerId) {
        fill(bidArea, h("p", {}, "You are selling this lot."));
      } else {
        fill(bidArea, form.element, watchButton());
      }
    }

    /** Watching adds the lot to the viewer's list and brings "closing soon" notifications. */
    function watchButton() {
      const button = h("button", { type: "button", class: "secondary" }, "Watch this lot");
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          const { data, ms } = await context.graphql.request<WatchLotData>(WATCH_LOT, { lotId });
          const ok = data.watchLot.__typename === "LotWatched";
          button.textContent = ok ? "Watching" : (data.watchLot.message ?? "Cannot watch");
          logDelivery(lotId, { protocol: "GraphQL", what: `mutation WatchLot (${ms} ms)` });
        } catch (err) {
          button.disabled = false;
          context.toast(`Could not watch: ${err instanceof Error ? err.message : err}`);
        }
      });
      return button;
    }

    function onEvent(frame: EventFrame) {
      const event = frame as unknown as LotEventFrame;
      const before = lot!;
      lot = applyLotEvent(before, event);
      const accepted = event.data.bidAccepted;
      const what = accepted
        ? `${frame.event} #${frame.seq}: ${formatMoney(fromProto(accepted.amount))} by ${nameOf(accepted.bidderId)}`
        : `${frame.event} #${frame.seq}`;
      logDelivery(lotId, {
        protocol: "WebSocket",
        what: frame.replayed ? `${what} (${replayedWhy(before)})` : what,
        traceId: frame.traceId,
      });
      if (accepted?.extended && lot !== before) {
        extension.textContent = `A late bid extended the lot: it now ends at ${lot.endsAt?.toLocaleTimeString()}.`;
      }
      update();
    }

    function update() {
      const view = lot!;
      highest.textContent = view.highestBid
        ? formatMoney(view.highestBid)
        : `none yet (starts at ${formatMoney(view.startingPrice)})`;
      bidCount.textContent = String(view.bidCount);
      renderBids(bids, view.bids, nameOf);
      form.update(view);
      outcome.textContent =
        view.status === "CLOSED"
          ? view.winnerId
            ? `Closed: won by ${nameOf(view.winnerId)} for ${view.highestBid ? formatMoney(view.highestBid) : "?"}.`
            : "Closed without a sale."
          : view.status === "CANCELLED"
            ? "The seller withdrew this lot."
            : "";
      tick(new Date());
    }

    function tick(now: Date) {
      if (!lot?.endsAt || lot.status !== "OPEN") {
        timeLeft.textContent = lot?.status === "OPEN" ? "—" : "ended";
        return;
      }
      timeLeft.textContent = formatTimeLeft(lot.endsAt, now);
      timeLeft.classList.toggle("urgent", isClosingSoon(lot.endsAt, now));
    }

    /** A bidder the page has not met comes with an id only: ask for the name, once. */
    function nameOf(userId: string): string {
      if (!names.has(userId)) {
        names.set(userId, `bidder ${userId.slice(-6)}`);
        void context.graphql.request<UserNameData>(USER_NAME, { id: userId }).then(
          ({ data }) => {
            if (!data.user || !lot) return;
            names.set(userId, data.user.displayName);
            update();
          },
          () => {},
        );
      }
      const you = currentSession()?.user.id === userId ? " (you)" : "";
      return `${names.get(userId)}${you}`;
    }
  };
}

/** Why an event came from storage: a reconnect caught up, or a closed lot's history. */
const replayedWhy = (lot: LotView) =>
  lot.status === "OPEN" ? "caught up after reconnecting" : "from the lot's stored events";

const persistedText = (p: "hit" | "registered" | "off") =>
  p === "hit"
    ? "persisted query"
    : p === "registered"
      ? "persisted query registered"
      : "full query text";
