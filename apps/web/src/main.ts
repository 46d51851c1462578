import type { AppContext } from "./app-context.ts";
import { h } from "./element.ts";
import { GraphQLClient } from "./graphql-client.ts";
import { NotificationStream, type NotificationEvent } from "./notification-stream.ts";
import { notificationText } from "./notification-text.ts";
import { startPageTracing } from "./page-tracing.ts";
import { logDelivery } from "./protocol-log.ts";
import { PushSocket } from "./push-socket.ts";
import { route } from "./router.ts";
import { loadRuntimeConfig } from "./runtime-config.ts";
import { currentSession, onSessionChange, setSession } from "./session.ts";
import { header } from "./views/header.ts";
import { toastRegion } from "./views/toasts.ts";

const config = await loadRuntimeConfig();
const token = () => currentSession()?.token;
const tracing = await startPageTracing(config.otlpTracesUrl);
const push = new PushSocket(config.websocketUrl, token, tracing);
const toasts = toastRegion();
const main = h("main", { id: "main", tabindex: -1 });
const context: AppContext = {
  config,
  graphql: new GraphQLClient(config.graphqlUrl, token, tracing),
  push,
  tracing,
  navigate,
  toast: toasts.toast,
};

document.body.replaceChildren(
  h("a", { href: "#main", class: "skip" }, "Skip to content"),
  header(context),
  main,
  toasts.element,
);

let leave = () => {};
function show(): void {
  leave();
  leave = route(new URL(location.href))(main, context);
  main.querySelector<HTMLElement>("h1")?.focus({ preventScroll: true });
}
function navigate(path: string): void {
  history.pushState(null, "", path);
  show();
}
addEventListener("popstate", show);
// Links marked data-link move inside the page; everything else is a normal navigation.
document.addEventListener("click", (e) => {
  const link = (e.target as Element).closest<HTMLAnchorElement>("a[data-link]");
  if (!link || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  e.preventDefault();
  navigate(link.getAttribute("href")!);
});

let notifications: NotificationStream | undefined;
function followNotifications(): void {
  notifications?.stop();
  notifications = undefined;
  const session = currentSession();
  if (!session) return;
  notifications = new NotificationStream({
    pushUrl: config.pushUrl,
    token: session.token,
    onNotification: notify,
    onExpired: () => {
      setSession(undefined);
      context.toast("Your session expired: sign in again to bid and get notifications.");
    },
  });
  void notifications.start();
}

function notify(event: NotificationEvent): void {
  const { text, kind } = notificationText(event);
  const { lotId } = event.data;
  context.toast(text, { href: `/lots/${lotId}`, kind });
  logDelivery(lotId, { protocol: "SSE", what: `notification: ${event.type}` });
}

onSessionChange(() => {
  push.restart(); // the socket speaks for the new user (or for nobody)
  followNotifications();
  show();
});
push.start();
followNotifications();
show();
