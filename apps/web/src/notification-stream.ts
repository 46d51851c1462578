import { PUSH_PATHS } from "@gavel/config/push-paths";

/**
 * The signed-in user's notifications over Server-Sent Events (GET /sse/notifications),
 * with a ticket in the URL since EventSource cannot send a token; resumed with
 * Last-Event-ID, or a fresh ticket and ?after= when the browser gives up, so nothing is
 * lost. Why: docs/architecture.md#the-web-page-appsweb-and-demo-traffic-appsloadgen
 */
export const NOTIFICATION_TYPES = [
  "outbid",
  "won",
  "sold",
  "unsold",
  "closing_soon",
  "invoice_ready",
] as const;

export interface NotificationEvent {
  type: (typeof NOTIFICATION_TYPES)[number];
  seq: number;
  data: Notification;
}

export interface Notification {
  id: string;
  lotId: string;
  lotTitle?: string;
  outbid?: { highestBid?: { currencyCode: string; amountMinor: string } };
  won?: { hammerPrice?: { currencyCode: string; amountMinor: string } };
  sold?: { hammerPrice?: { currencyCode: string; amountMinor: string } };
  unsold?: { hadBids?: boolean };
  closingSoon?: { endsAt?: string };
  invoiceReady?: {
    role?: "INVOICE_ROLE_BUYER" | "INVOICE_ROLE_SELLER";
    /** What the user pays (buyer) or receives (seller). */
    amount?: { currencyCode: string; amountMinor: string };
    hammerPrice?: { currencyCode: string; amountMinor: string };
  };
}

export interface NotificationStreamOptions {
  pushUrl: string;
  token: string;
  onNotification: (n: NotificationEvent) => void;
  onOpen?: () => void;
  /** The token expired: the stream has stopped. */
  onExpired?: () => void;
}

export class NotificationStream {
  readonly #options: NotificationStreamOptions;
  #source: EventSource | undefined;
  #lastSeq: number | undefined;
  #stopped = false;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(options: NotificationStreamOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    if (this.#stopped) return;
    try {
      const res = await fetch(`${this.#options.pushUrl}${PUSH_PATHS.tickets}`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.#options.token}` },
      });
      if (!res.ok) throw new Error(`tickets answered ${res.status}`);
      const { ticket } = (await res.json()) as { ticket: string };
      if (this.#stopped) return;
      this.#open(ticket);
    } catch {
      this.#retry = setTimeout(() => void this.start(), 2000);
    }
  }

  #open(ticket: string): void {
    const params = new URLSearchParams({ ticket });
    if (this.#lastSeq !== undefined) params.set("after", String(this.#lastSeq));
    const source = new EventSource(`${this.#options.pushUrl}${PUSH_PATHS.notifications}?${params}`);
    this.#source = source;
    source.onopen = () => this.#options.onOpen?.();
    for (const type of NOTIFICATION_TYPES) {
      source.addEventListener(type, (e) => {
        const seq = Number(e.lastEventId);
        if (this.#lastSeq !== undefined && seq <= this.#lastSeq) return;
        this.#lastSeq = seq;
        this.#options.onNotification({ type, seq, data: JSON.parse(e.data) as Notification });
      });
    }
    source.addEventListener("expired", () => {
      this.stop();
      this.#options.onExpired?.();
    });
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED || this.#stopped) return;
      this.#retry = setTimeout(() => void this.start(), 1000);
    };
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#source?.close();
  }
}
