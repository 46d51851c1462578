/**
 * The soak's auction floor, driven with the load generator's clients: sellers keeping
 * short lots open through the REST edge (so lots keep closing with winners, notifications
 * and invoices), bidders in closed-loop windows, and GraphQL readers on the BFF.
 */
import { randomUUID } from "node:crypto";
import {
  closedLoop,
  EdgeHttp,
  Market,
  type EdgeClient,
  type LoopResult,
  type RestLot,
  type UserClient,
} from "@gavel/load";
import { mintToken } from "@gavel/testing";

const PASSWORD = "gavel-soak-password";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SoakUser {
  id: string;
  /** Minted with the test keys the stack trusts, for the BFF and the push gateway. */
  token: string;
  client: UserClient;
}

/** Signs `count` users up through the edge (so identity knows their names). */
export async function signUpUsers(edge: EdgeClient, role: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, async (_, i): Promise<SoakUser> => {
      const client = await edge.as(
        `soak-${role}-${i + 1}@gavel.test`,
        `Soak ${role} ${i + 1}`,
        PASSWORD,
      );
      return { id: client.id, token: await mintToken(client.id), client };
    }),
  );
}

/** The sellers' open lots, topped up to `perSeller` each on every refresh. */
export class LotBoard {
  /** Lots listed by the soak so far. */
  created = 0;
  readonly #sellers: UserClient[];
  readonly #perSeller: number;
  #lots: RestLot[] = [];
  #ids: string[] = [];

  constructor(sellers: UserClient[], perSeller: number) {
    this.#sellers = sellers;
    this.#perSeller = perSeller;
  }

  /** The open lots as of the last refresh (a new array each refresh, never mutated). */
  get lots(): RestLot[] {
    return this.#lots;
  }

  get ids(): readonly string[] {
    return this.#ids;
  }

  async refresh(): Promise<void> {
    const lists = await Promise.all(
      this.#sellers.map(async (seller) => {
        const lots = await seller.openLotsOf(seller.id);
        while (lots.length < this.#perSeller) {
          lots.push(await seller.createLot(shortLot(this.created + 1), randomUUID()));
          this.created++;
        }
        return lots;
      }),
    );
    this.#lots = lists.flat();
    this.#ids = this.#lots.map((lot) => lot.id);
  }
}

function shortLot(n: number): Record<string, unknown> {
  const between = (low: number, high: number) => low + Math.floor(Math.random() * (high - low + 1));
  return {
    title: `Soak lot ${n}`,
    description: "Listed by bench/soak/soak.bench.ts.",
    starting_price: { currency: "EUR", amount_minor: between(5, 25) * 100 },
    ends_at: new Date(Date.now() + between(20, 60) * 1000).toISOString(),
    snipe_window_seconds: between(1, 3),
  };
}

export interface BidWindow {
  workers: number;
  seconds: number;
  /** Each worker waits this long before each bid: moderate load, not saturation. */
  pauseMs: number;
}

/**
 * Bidders bid on the board's open lots for one window. Each window gets a new Market, so
 * what it remembers of lots (minimums, leaders) lasts one window and never piles up.
 * Latencies include the pause; subtract it.
 */
export function bidWindow(
  board: LotBoard,
  bidders: UserClient[],
  w: BidWindow,
): Promise<LoopResult> {
  const market = new Market(bidders, board.lots);
  return closedLoop({
    workers: w.workers,
    seconds: w.seconds,
    step: async () => {
      await sleep(w.pauseMs);
      market.lots = board.lots;
      return market.bidOnce();
    },
  });
}

/** Runs `step` again `pauseMs` after each finished; a failure goes to `onError`. */
export function repeat(
  pauseMs: number,
  step: () => Promise<void>,
  onError: (err: unknown) => void,
): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await step().catch(onError);
      if (!stopped) await sleep(pauseMs);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

const LOTS_PAGE = /* GraphQL */ `
  query LotsPage {
    lots(first: 20, filter: { status: OPEN, order: ENDING_SOONEST }) {
      totalCount
      edges {
        node {
          id
          title
          endsAt
          timeLeftSeconds
          bidCount
          highestBid {
            amount
            currency
          }
          seller {
            id
            displayName
          }
        }
      }
    }
  }
`;

const LOT_PAGE = /* GraphQL */ `
  query LotPage($id: ID!) {
    lot(id: $id) {
      id
      title
      status
      watcherCount
      bids(first: 10) {
        edges {
          node {
            amount {
              amount
            }
            bidder {
              displayName
            }
            placedAt
          }
        }
      }
    }
  }
`;

const MY_PAGE = /* GraphQL */ `
  query MyPage {
    viewer {
      user {
        id
        displayName
      }
      bids(first: 10) {
        totalCount
        edges {
          node {
            leading
            highestOwnBid {
              amount
            }
            lot {
              id
              status
            }
          }
        }
      }
      wonLots(first: 5) {
        totalCount
      }
      invoices(role: BUYER, first: 5) {
        edges {
          node {
            id
            buyerTotal {
              amount
            }
          }
        }
      }
    }
  }
`;

/** GraphQL reads from the BFF, in turn: the lots page, a lot's page, a user's own page. */
export class GraphqlReads {
  ok = 0;
  failed = 0;
  lastProblem: string | undefined;
  readonly #http: EdgeHttp;
  readonly #users: SoakUser[];
  readonly #board: LotBoard;
  #turn = 0;

  constructor(bffUrl: string, users: SoakUser[], board: LotBoard) {
    this.#http = new EdgeHttp(bffUrl, 4);
    this.#users = users;
    this.#board = board;
  }

  async readOnce(): Promise<void> {
    const turn = this.#turn++ % 3;
    const user = this.#users[Math.floor(Math.random() * this.#users.length)]!;
    const lotId = this.#board.ids[Math.floor(Math.random() * this.#board.ids.length)];
    const [query, variables, token] =
      turn === 0
        ? [LOTS_PAGE, {}, undefined]
        : turn === 1 && lotId
          ? [LOT_PAGE, { id: lotId }, undefined]
          : [MY_PAGE, {}, user.token];
    try {
      const res = await this.#http.send("POST", "/graphql", {
        body: { query, variables },
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      const errors = res.status === 200 ? res.json<{ errors?: unknown[] }>().errors : undefined;
      if (res.status === 200 && !errors) return void this.ok++;
      this.failed++;
      this.lastProblem = `${res.status} ${JSON.stringify(errors ?? res.body).slice(0, 200)}`;
    } catch (err) {
      this.failed++;
      this.lastProblem = err instanceof Error ? err.message : String(err);
    }
  }

  close(): void {
    this.#http.close();
  }
}

/** Lots closed so far, over every seller (the catalog's count). */
export async function closedLotCount(http: EdgeHttp): Promise<number> {
  const res = await http.send("GET", "/v1/lots?status=closed&limit=1");
  if (res.status !== 200) throw new Error(`counting closed lots answered ${res.status}`);
  return res.json<{ total: number }>().total;
}
