/**
 * What reached the page about each lot, and over which protocol: the lot page's
 * "how this got here" panel reads it, so people see the four protocols at work.
 */
export type Protocol = "GraphQL" | "WebSocket" | "SSE" | "REST";

export interface Delivery {
  protocol: Protocol;
  what: string;
  at: Date;
  /** The trace behind it (a bid's; a close continues the winning bid's), when known. */
  traceId?: string | undefined;
}

const KEPT = 25;
const byLot = new Map<string, Delivery[]>();
const listeners = new Set<(lotId: string) => void>();

export function logDelivery(lotId: string, delivery: Omit<Delivery, "at">): void {
  const list = byLot.get(lotId) ?? [];
  list.unshift({ ...delivery, at: new Date() });
  byLot.set(lotId, list.slice(0, KEPT));
  for (const listener of listeners) listener(lotId);
}

export const deliveriesOf = (lotId: string): readonly Delivery[] => byLot.get(lotId) ?? [];

/** The newest delivery with a trace, for the "trace of the last bid" link. */
export const lastTraced = (lotId: string): Delivery | undefined =>
  deliveriesOf(lotId).find((d) => d.traceId !== undefined);

export function onDelivery(listener: (lotId: string) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
