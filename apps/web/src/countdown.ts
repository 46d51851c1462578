/** "2d 3h", "1h 04m", "4m 05s", "9s", or "ended": precise near the end, short far away. */
export function formatTimeLeft(endsAt: Date, now: Date): string {
  const total = Math.ceil((endsAt.getTime() - now.getTime()) / 1000);
  if (total <= 0) return "ended";
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => n.toString().padStart(2, "0");
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${two(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${two(seconds)}s`;
  return `${seconds}s`;
}

/** Whether a lot is in its last minute: the page marks it so people see it is urgent. */
export const isClosingSoon = (endsAt: Date, now: Date): boolean =>
  endsAt.getTime() - now.getTime() <= 60_000;

type Tick = (now: Date) => void;
const listeners = new Set<Tick>();
let timer: ReturnType<typeof setInterval> | undefined;

/** One shared once-a-second clock for every countdown on the page; returns the unsubscribe. */
export function everySecond(tick: Tick): () => void {
  listeners.add(tick);
  tick(new Date());
  timer ??= setInterval(() => {
    const now = new Date();
    for (const listener of listeners) listener(now);
  }, 1000);
  return () => {
    listeners.delete(tick);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}
