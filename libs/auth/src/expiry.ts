/** setTimeout's longest delay (about 24.8 days); a later expiry is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `onExpired` once, when `expiresAtMs` has passed (at once if it already has): how a
 * session that a credential opened ends with it, as a new session with it would be refused.
 * Returns the cancel; the timer never keeps a process alive on its own.
 */
export function onExpiry(expiresAtMs: number, onExpired: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    const left = expiresAtMs - Date.now();
    if (left <= 0) {
      timer = undefined;
      onExpired();
      return;
    }
    timer = setTimeout(check, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  check();
  return () => clearTimeout(timer);
}
