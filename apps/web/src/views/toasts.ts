import { h } from "../element.ts";

const SHOWN_MS = 8000;

/**
 * Notifications as toasts: a polite live region (an alert for urgent ones), each with a
 * close button, gone by itself after a few seconds.
 */
export function toastRegion() {
  const region = h("div", { class: "toasts", role: "region", "aria-label": "Notifications" });
  const polite = h("div", { "aria-live": "polite" });
  const urgent = h("div", { "aria-live": "assertive" });
  region.append(polite, urgent);

  function toast(message: string, options: { href?: string; kind?: "info" | "alert" } = {}) {
    const close = h("button", { type: "button", class: "close", "aria-label": "Dismiss" }, "×");
    const text = options.href
      ? h("a", { href: options.href, "data-link": true }, message)
      : h("span", {}, message);
    const item = h(
      "div",
      { class: `toast ${options.kind ?? "info"}`, "data-testid": "toast" },
      text,
      close,
    );
    const remove = () => item.remove();
    close.addEventListener("click", remove);
    (options.kind === "alert" ? urgent : polite).append(item);
    setTimeout(remove, SHOWN_MS);
  }

  return { element: region, toast };
}
