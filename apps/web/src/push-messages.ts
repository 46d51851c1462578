/** The push gateway's messages as the page reads them (docs/push-protocol.md). */
export type ConnectionState = "connecting" | "live" | "reconnecting";

export interface EventFrame {
  channel: string;
  seq: number;
  event: string;
  traceId?: string;
  data: unknown;
  /** Delivered while catching up after a reconnect, not live. */
  replayed: boolean;
}

export type BidAnswer =
  | {
      ok: true;
      result: {
        bid: unknown;
        minimumNextBid: { currencyCode: string; amountMinor: string } | null;
      };
    }
  | { ok: false; code: string; message: string; detail?: unknown };

/** Any message the gateway sends: its fields by type. */
export interface ServerMessage {
  type: string;
  id?: string;
  channel?: string;
  seq?: number;
  after?: number;
  event?: string;
  traceId?: string;
  data?: unknown;
  messages?: ServerMessage[];
  result?: unknown;
  code?: string;
  message?: string;
  detail?: unknown;
}

/** What the page sends: the protocol's version is added on the way out. */
export type Send = (message: Record<string, unknown>) => void;
