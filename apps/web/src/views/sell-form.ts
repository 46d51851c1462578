import type { View } from "../app-context.ts";
import { fill, h } from "../element.ts";
import { parseAmount } from "../money.ts";
import { CREATE_LOT, type CreateLotData } from "../operations.ts";
import { currentSession } from "../session.ts";

/** Lists a lot for the signed-in seller (GraphQL createLot), then opens its page. */
export const sellForm: View = (root, context) => {
  if (!currentSession()) {
    queueMicrotask(() => context.navigate("/sign-in?next=/sell")); // after this view is shown
    return () => {};
  }
  const field = (
    id: string,
    label: string,
    input: HTMLInputElement | HTMLTextAreaElement,
    hint?: string,
  ) =>
    h(
      "div",
      { class: "field" },
      h("label", { for: id }, label),
      input,
      hint ? h("small", { id: `${id}-hint` }, hint) : null,
    );
  const title = h("input", {
    id: "title",
    name: "title",
    required: true,
    minlength: 3,
    maxlength: 120,
  });
  const description = h("textarea", {
    id: "description",
    name: "description",
    maxlength: 5000,
    rows: 3,
  });
  const price = h("input", {
    id: "starting-price",
    name: "startingPrice",
    inputmode: "decimal",
    required: true,
    value: "10.00",
  });
  const minutes = h("input", {
    id: "minutes",
    name: "minutes",
    type: "number",
    min: 1,
    max: 10080,
    value: 5,
    required: true,
  });
  const snipe = h("input", {
    id: "snipe",
    name: "snipe",
    type: "number",
    min: 0,
    max: 3600,
    value: 30,
    "aria-describedby": "snipe-hint",
  });
  const status = h("p", { role: "alert", class: "form-error" });
  const submit = h("button", { type: "submit" }, "List the lot");
  const form = h(
    "form",
    { class: "stack", "aria-labelledby": "sell-heading" },
    field("title", "Title", title),
    field("description", "Description", description),
    field("starting-price", "Starting price (EUR)", price),
    field("minutes", "Runs for (minutes)", minutes),
    field(
      "snipe",
      "Anti-sniping window (seconds)",
      snipe,
      "A bid this close to the end moves the end that far out.",
    ),
    submit,
    status,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void create();
  });
  fill(
    root,
    h("h1", { id: "sell-heading", tabindex: -1 }, "Sell a lot"),
    form,
    h(
      "p",
      {},
      "Many lots at once? ",
      h("a", { href: "/sell/import", "data-link": true }, "Import them from a file"),
      ".",
    ),
  );
  return () => {};

  async function create() {
    const amountMinor = parseAmount(price.value);
    if (!amountMinor) {
      status.textContent = "Enter the starting price as an amount such as 10.00.";
      return;
    }
    submit.disabled = true;
    try {
      const input = {
        title: title.value,
        description: description.value,
        startingPrice: { currency: "EUR", amountMinor },
        endsAt: new Date(Date.now() + Number(minutes.value) * 60_000).toISOString(),
        snipeWindowSeconds: Number(snipe.value),
      };
      const { data } = await context.graphql.request<CreateLotData>(CREATE_LOT, { input });
      const result = data.createLot;
      if (result.__typename === "LotCreated") {
        context.toast("Your lot is open for bids.");
        context.navigate(`/lots/${result.lot.id}`);
      } else {
        status.textContent = [
          result.message,
          ...result.fields.map((f) => `${f.field}: ${f.message}`),
        ].join(" ");
      }
    } catch (err) {
      status.textContent = err instanceof Error ? err.message : String(err);
    } finally {
      submit.disabled = false;
    }
  }
};
