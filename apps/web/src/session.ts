import type { UserRef } from "./operations.ts";

/**
 * The signed-in user, kept for this tab only (sessionStorage): a token never outlives
 * the tab, and two tabs may be two users, as in the browser tests.
 */
export interface Session {
  token: string;
  expiresAt: string;
  user: UserRef;
}

const KEY = "gavel.session";
type Listener = (session: Session | undefined) => void;
const listeners = new Set<Listener>();

export function currentSession(): Session | undefined {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return undefined;
  const session = JSON.parse(raw) as Session;
  if (Date.parse(session.expiresAt) <= Date.now()) {
    sessionStorage.removeItem(KEY);
    return undefined;
  }
  return session;
}

export function setSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener(session);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
