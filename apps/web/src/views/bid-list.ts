import { fill, h } from "../element.ts";
import type { BidView } from "../lot-state.ts";
import { formatMoney } from "../money.ts";

/** The lot's bids, newest first, each with who placed it and whether it extended the lot. */
export function renderBids(
  list: HTMLOListElement,
  bids: readonly BidView[],
  nameOf: (id: string) => string,
) {
  fill(
    list,
    ...bids.map((bid) =>
      h(
        "li",
        { "data-bid-id": bid.id },
        h("strong", {}, formatMoney(bid.amount)),
        ` by ${nameOf(bid.bidderId)} `,
        h("time", { datetime: bid.placedAt.toISOString() }, bid.placedAt.toLocaleTimeString()),
        bid.extended ? h("span", { class: "badge" }, "extended the lot") : null,
      ),
    ),
  );
  if (bids.length === 0) list.append(h("li", { class: "empty" }, "No bids yet."));
}
