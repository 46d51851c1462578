import type { View } from "./app-context.ts";
import { importForm } from "./views/import-form.ts";
import { lotList } from "./views/lot-list.ts";
import { lotPage } from "./views/lot-page.ts";
import { sellForm } from "./views/sell-form.ts";
import { signInPage } from "./views/sign-in.ts";

/** The page's client routes; the edge answers each with index.html, so reloads work. */
export function route(url: URL): View {
  const lot = /^\/lots\/([^/]+)$/.exec(url.pathname);
  if (lot) return lotPage(decodeURIComponent(lot[1]!));
  if (url.pathname === "/sell") return sellForm;
  if (url.pathname === "/sell/import") return importForm;
  if (url.pathname === "/sign-in") return signInPage(url.searchParams.get("next") ?? "/");
  return lotList;
}
