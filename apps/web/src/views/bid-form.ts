import type { AppContext } from "../app-context.ts";
import { h } from "../element.ts";
import { suggestedBid, type LotView } from "../lot-state.ts";
import { compareMoney, formatMoney, parseAmount, toDecimal, type Money } from "../money.ts";
import { logDelivery } from "../protocol-log.ts";

interface Refusal {
  reason?: string;
  minimumNextBid?: { currencyCode: string; amountMinor: string };
}

/** The bid form: sends the bid over the WebSocket and says, in words, what came of it. */
export function bidForm(context: AppContext, lot: () => LotView) {
  const input = h("input", {
    id: "bid-amount",
    name: "amount",
    inputmode: "decimal",
    autocomplete: "off",
    required: true,
    "aria-describedby": "bid-status",
  });
  const currency = h("span", { class: "currency" });
  const button = h("button", { type: "submit" }, "Place bid");
  const status = h("p", { id: "bid-status", role: "status", class: "bid-status" });
  const form = h(
    "form",
    { class: "bid-form", "aria-label": "Place a bid" },
    h("label", { for: "bid-amount" }, "Your bid ", currency),
    h("div", { class: "row" }, input, button),
    status,
  );

  /** The viewer's last accepted bid, to say so when someone else outbids it. */
  let ownBid: Money | undefined;

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void place();
  });

  async function place() {
    const current = lot();
    const amountMinor = parseAmount(input.value);
    if (!amountMinor) {
      status.textContent = "Enter an amount such as 12.50.";
      input.focus();
      return;
    }
    const amount = { currency: current.startingPrice.currency, amountMinor };
    button.disabled = true;
    status.textContent =
      context.push.state === "live"
        ? "Placing your bid…"
        : "Waiting for the connection to place your bid…";
    const answer = await context.push.bid(current.id, newBidId(), amount);
    button.disabled = false;
    if (answer.ok) {
      ownBid = amount;
      status.textContent = `Your bid of ${formatMoney(amount)} is the highest.`;
      logDelivery(current.id, {
        protocol: "WebSocket",
        what: `ack: your bid of ${formatMoney(amount)}`,
        traceId: answer.traceId,
      });
      return;
    }
    const refusal = (answer.detail ?? {}) as Refusal;
    const minimum = refusal.minimumNextBid;
    if (minimum) input.value = toDecimal(minimum.amountMinor);
    const reason = (answer.message || answer.code).replace(/[.\s]*$/, ".");
    status.textContent = `Not accepted: ${reason}${
      minimum
        ? ` The next bid must be at least ${formatMoney({ currency: minimum.currencyCode, amountMinor: minimum.amountMinor })}.`
        : ""
    }`;
    logDelivery(current.id, {
      protocol: "WebSocket",
      what: `refused: ${refusal.reason ?? answer.code}`,
    });
  }

  /** Called when the lot changes: keeps the suggestion ahead of the highest bid. */
  function update(view: LotView) {
    currency.textContent = `(${view.startingPrice.currency})`;
    const open = view.status === "OPEN";
    input.disabled = !open;
    button.disabled = !open;
    if (ownBid && view.highestBid && compareMoney(view.highestBid, ownBid) > 0) {
      status.textContent = `You were outbid: ${formatMoney(view.highestBid)} came after yours.`;
      ownBid = undefined;
    }
    const suggestion = suggestedBid(view);
    const typed = parseAmount(input.value);
    if (!typed || BigInt(typed) < BigInt(suggestion.amountMinor)) {
      if (document.activeElement !== input) input.value = toDecimal(suggestion.amountMinor);
    }
  }

  return { element: form, update };
}

/** A UUID for the bid's idempotency; crypto.randomUUID needs a secure context. */
function newBidId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
