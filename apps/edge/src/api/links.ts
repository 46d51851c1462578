import type { Bid } from "@gavel/proto/bidding/v1/bidding";
import { LotStatus, type Lot } from "@gavel/proto/catalog/v1/catalog";
import type { Invoice } from "@gavel/proto/settlement/v1/settlement";
import type { PushPaths } from "./push-paths.ts";

export interface Link {
  href: string;
  title?: string;
  templated?: boolean;
  type?: string;
}
export type Links = Record<string, Link>;

type SettledFields = Pick<Lot, "status" | "winnerId" | "reserveMet">;

/**
 * Whether settlement issues this lot an invoice, by its own rule (internal/settle):
 * a lot closed with a winner and its reserve met. The invoice follows the close within
 * moments; until settlement has read the close, its link answers 404.
 */
export function invoiceDue(lot: SettledFields): boolean {
  return lot.status === LotStatus.CLOSED && lot.winnerId !== "" && lot.reserveMet;
}

/**
 * Hypermedia links (HAL style `_links`): every representation says where its related
 * resources and live feeds are (`push`: the gateway's), so a client can walk the API from /v1.
 */
export const links = {
  root(push: PushPaths): Links {
    return {
      self: { href: "/v1" },
      lots: { href: "/v1/lots{?status,seller_id,sort,limit,cursor}", templated: true },
      lot: { href: "/v1/lots/{id}", templated: true },
      me: { href: "/v1/me" },
      my_invoices: { href: "/v1/me/invoices{?role,limit,cursor}", templated: true },
      user: { href: "/v1/users/{id}", templated: true },
      sign_up: { href: "/v1/auth/sign-up" },
      sign_in: { href: "/v1/auth/sign-in" },
      import_lots: { href: "/v1/lots/import", type: "application/x-ndjson" },
      openapi: { href: "/v1/openapi.json", type: "application/openapi+json" },
      docs: { href: "/v1/docs", type: "text/html" },
      websocket: {
        href: push.websocket,
        title: "WebSocket: live bids, bidding over the socket",
      },
    };
  },
  lot(lot: SettledFields & Pick<Lot, "id" | "sellerId">, push: PushPaths): Links {
    // Only that the lot sold, which its status and winner say publicly anyway: the
    // invoice itself answers its buyer and seller only.
    const sold = invoiceDue(lot);
    return {
      self: { href: `/v1/lots/${lot.id}` },
      bids: { href: `/v1/lots/${lot.id}/bids` },
      place_bid: { href: `/v1/lots/${lot.id}/bids`, title: "POST a bid" },
      cancel: { href: `/v1/lots/${lot.id}/cancel`, title: "POST, seller only" },
      seller: { href: `/v1/users/${lot.sellerId}` },
      ...(sold
        ? { invoice: { href: `/v1/lots/${lot.id}/invoice`, title: "buyer and seller only" } }
        : {}),
      stream: { href: push.lotStream(lot.id), type: "text/event-stream" },
      websocket: { href: push.websocket },
      collection: { href: "/v1/lots" },
    };
  },
  bid(bid: Pick<Bid, "lotId" | "bidderId">): Links {
    return {
      lot: { href: `/v1/lots/${bid.lotId}` },
      bidder: { href: `/v1/users/${bid.bidderId}` },
    };
  },
  invoice(invoice: Pick<Invoice, "lotId" | "buyerId" | "sellerId">): Links {
    return {
      self: { href: `/v1/lots/${invoice.lotId}/invoice` },
      lot: { href: `/v1/lots/${invoice.lotId}` },
      buyer: { href: `/v1/users/${invoice.buyerId}` },
      seller: { href: `/v1/users/${invoice.sellerId}` },
    };
  },
  user(id: string): Links {
    return { self: { href: `/v1/users/${id}` }, lots: { href: `/v1/lots?seller_id=${id}` } };
  },
};
