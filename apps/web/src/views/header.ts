import type { AppContext } from "../app-context.ts";
import { fill, h } from "../element.ts";
import type { ConnectionState } from "../push-messages.ts";
import { currentSession, onSessionChange, setSession } from "../session.ts";

const STATE_TEXT: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
};

/** The bar on every page: where to go, who is signed in, and whether the page is live. */
export function header(context: AppContext): HTMLElement {
  const user = h("div", { class: "user" });
  const state = h("span", { class: "connection", role: "status", "data-testid": "connection" });
  context.push.onState((s) => {
    state.textContent = STATE_TEXT[s];
    state.dataset.state = s;
  });
  const renderUser = () => {
    const session = currentSession();
    fill(
      user,
      session
        ? h("span", { "data-testid": "signed-in-as" }, session.user.displayName)
        : h("a", { href: "/sign-in", "data-link": true }, "Sign in"),
      session
        ? h(
            "button",
            { type: "button", class: "link", onclick: () => setSession(undefined) },
            "Sign out",
          )
        : null,
    );
  };
  renderUser();
  onSessionChange(renderUser);
  return h(
    "header",
    { class: "bar" },
    h("a", { href: "/", "data-link": true, class: "brand" }, "Gavel"),
    h(
      "nav",
      { "aria-label": "Main" },
      h("a", { href: "/", "data-link": true }, "Lots"),
      h("a", { href: "/sell", "data-link": true }, "Sell"),
      h("a", { href: `${context.config.restUrl}/v1/docs` }, "API docs"),
    ),
    state,
    user,
  );
}
