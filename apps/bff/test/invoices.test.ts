import { GraphQLClient } from "graphql-request";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLot, placeBid, signedInClient, startBffStack, type BffStack } from "./bff-stack.ts";

type Client = Awaited<ReturnType<typeof signedInClient>>;

let stack: BffStack;
let seller: Client;
let buyer: Client;
/** Two lots the buyer won from the seller, ending together so the file waits once. */
let sold: string[];

const LOT_INVOICE = /* GraphQL */ `
  query LotInvoice($id: ID!) {
    lot(id: $id) {
      id
      invoice {
        id
        lotTitle
        buyer {
          id
        }
        seller {
          id
        }
        lot {
          id
        }
        hammerPrice {
          currency
          amount
        }
        buyersPremium {
          amountMinor
        }
        buyerTotal {
          amount
        }
        sellersCommission {
          amountMinor
        }
        sellerPayout {
          amount
        }
        feeSchedule
        closedAt
        issuedAt
      }
    }
  }
`;

const MY_INVOICES = /* GraphQL */ `
  query MyInvoices($role: InvoiceRole!, $first: Int, $after: String) {
    viewer {
      invoices(role: $role, first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            lot {
              id
              invoice {
                id
              }
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`;

interface LotInvoice {
  lot: { id: string; invoice: Record<string, unknown> | null } | null;
}

interface MyInvoices {
  viewer: {
    invoices: {
      edges: Array<{ node: { id: string; lot: { id: string; invoice: { id: string } } } }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
}

const GET_INVOICE = "gavel.settlement.v1.SettlementService/GetInvoice";

/** Lot.invoice as the client reads it, with what the request cost upstream. */
async function lotInvoice(client: GraphQLClient, id: string) {
  const { data, errors, extensions, headers } = await client.rawRequest<LotInvoice>(LOT_INVOICE, {
    id,
  });
  const calls = (extensions as { upstreamCalls?: Record<string, number> }).upstreamCalls ?? {};
  return { invoice: data.lot?.invoice ?? null, errors, calls, headers };
}

/** A page of viewer.invoices, with what the request cost upstream. */
async function invoicePage(
  client: GraphQLClient,
  role: "BUYER" | "SELLER",
  first: number,
  after: string | null,
) {
  const { data, extensions } = await client.rawRequest<MyInvoices>(MY_INVOICES, {
    role,
    first,
    after,
  });
  const calls = (extensions as { upstreamCalls?: Record<string, number> }).upstreamCalls ?? {};
  return { ...data.viewer.invoices, calls };
}

/** The first page of the client's invoices in a role. */
async function listed(client: GraphQLClient, role: "BUYER" | "SELLER") {
  return (await invoicePage(client, role, 20, null)).edges;
}

beforeAll(async () => {
  stack = await startBffStack(inject("natsUrl"), {}, { settlement: true });
  [seller, buyer] = await Promise.all([
    signedInClient(stack, "Invoice Seller"),
    signedInClient(stack, "Invoice Buyer"),
  ]);
  const endsAt = new Date(Date.now() + 3_000).toISOString();
  sold = await Promise.all(
    ["A sold chair", "A sold table"].map((title) =>
      createLot(seller.client, { title, endsAt, snipeWindowSeconds: 1 }),
    ),
  );
  await Promise.all([
    placeBid(buyer.client, sold[0]!, "1500"),
    placeBid(buyer.client, sold[1]!, "2000"),
  ]);
  // Issued a moment after each lot closes; read as the buyer until both are there.
  const deadline = Date.now() + 10_000;
  const issued = () => Promise.all(sold.map((id) => lotInvoice(buyer.client, id)));
  while (!(await issued()).every((read) => read.invoice !== null)) {
    if (Date.now() > deadline) throw new Error("settlement issued no invoice within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 30_000);
afterAll(() => stack?.stop());

describe("Lot.invoice", () => {
  it("gives the lot's buyer and seller its invoice, privately", async () => {
    for (const viewer of [buyer, seller]) {
      const { invoice, errors, headers } = await lotInvoice(viewer.client, sold[0]!);
      expect(errors).toBeUndefined();
      expect(invoice).toMatchObject({
        id: sold[0],
        lotTitle: "A sold chair",
        buyer: { id: buyer.id },
        seller: { id: seller.id },
        lot: { id: sold[0] },
        hammerPrice: { currency: "EUR", amount: "15.00" },
        buyersPremium: { amountMinor: "375" },
        buyerTotal: { amount: "18.75" },
        sellersCommission: { amountMinor: "150" },
        sellerPayout: { amount: "13.50" },
        feeSchedule: expect.any(String),
      });
      expect(Date.parse(invoice!.issuedAt as string)).toBeGreaterThanOrEqual(
        Date.parse(invoice!.closedAt as string),
      );
      expect(headers.get("cache-control")).toMatch(/^private/);
    }
  });

  it("is null, not an error, for anyone else and for a lot without one, without asking settlement", async () => {
    const stranger = await signedInClient(stack, "Invoice Stranger");
    const guest = new GraphQLClient(stack.endpoint);
    for (const client of [stranger.client, guest]) {
      const { invoice, errors, calls } = await lotInvoice(client, sold[0]!);
      expect(errors).toBeUndefined();
      expect(invoice).toBeNull();
      expect(calls[GET_INVOICE]).toBeUndefined();
    }
    const open = await createLot(seller.client, { title: "Still open" });
    const { invoice, errors } = await lotInvoice(seller.client, open);
    expect(errors).toBeUndefined();
    expect(invoice).toBeNull();
  });

  it("asks settlement once per lot in a request, however often the request names it", async () => {
    const { data, extensions } = await seller.client.rawRequest<{
      lots: { edges: Array<{ node: { invoice: { id: string } | null } }> };
      again: { edges: Array<{ node: { invoice: { id: string } | null } }> };
    }>(
      `query($sellerId: ID!) {
        lots(filter: { sellerId: $sellerId }) { edges { node { invoice { id } } } }
        again: lots(filter: { sellerId: $sellerId }) { edges { node { invoice { id } } } }
      }`,
      { sellerId: seller.id },
    );
    const invoiceIds = (page: typeof data.lots) =>
      page.edges.flatMap((e) => (e.node.invoice ? [e.node.invoice.id] : [])).sort();
    expect(invoiceIds(data.lots)).toEqual([...sold].sort());
    expect(invoiceIds(data.again)).toEqual([...sold].sort());
    const calls = (extensions as { upstreamCalls: Record<string, number> }).upstreamCalls;
    expect(calls[GET_INVOICE]).toBe(sold.length);
  });
});

describe("viewer.invoices", () => {
  it("pages the buyer's invoices, and their lots' invoices come from the page, not another call", async () => {
    // The list follows the invoices' stream a moment behind the invoices themselves.
    await expect.poll(async () => (await listed(buyer.client, "BUYER")).length).toBe(2);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 2; page++) {
      const { edges, pageInfo, calls } = await invoicePage(buyer.client, "BUYER", 1, after);
      expect(edges).toHaveLength(1);
      expect(edges[0]!.node.lot.invoice.id).toBe(edges[0]!.node.id);
      expect(calls[GET_INVOICE]).toBeUndefined();
      seen.push(edges[0]!.node.id);
      expect(pageInfo.hasNextPage).toBe(page === 0);
      after = pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual([...sold].sort());
  });

  it("lists each side apart: the seller sold both and bought none", async () => {
    await expect.poll(async () => (await listed(seller.client, "SELLER")).length).toBe(2);
    const asSeller = await listed(seller.client, "SELLER");
    expect(asSeller.map((e) => e.node.id).sort()).toEqual([...sold].sort());
    expect(await listed(seller.client, "BUYER")).toEqual([]);
  });
});
