/**
 * The few REST calls the traffic needs, as any client of the public API makes them:
 * JSON, a Bearer token, Idempotency-Key on creation, problem+json on refusal.
 */
import type { EdgeHttp, HttpAnswer } from "./edge-http.ts";

export interface RestMoney {
  currency: string;
  amount_minor: number;
}

export interface RestLot {
  id: string;
  title: string;
  status: string;
  starting_price: RestMoney;
  highest_bid: RestMoney | null;
  ends_at: string | null;
}

export interface Problem {
  status: number;
  type?: string;
  title?: string;
  minimum_next_bid?: RestMoney;
}

export class EdgeClient {
  readonly #http: EdgeHttp;

  constructor(http: EdgeHttp) {
    this.#http = http;
  }

  /** Signs the user up the first time, in afterwards; answers with a client acting as them. */
  async as(email: string, displayName: string, password: string): Promise<UserClient> {
    const signUp = await this.#http.send("POST", "/v1/auth/sign-up", {
      body: { email, password, display_name: displayName },
    });
    if (signUp.status !== 201 && signUp.status !== 409) throw failure("sign-up", signUp);
    const signIn = await this.#http.send("POST", "/v1/auth/sign-in", {
      body: { email, password },
    });
    if (signIn.status !== 200) throw failure("sign-in", signIn);
    const session = signIn.json<{ access_token: string; user: { id: string } }>();
    return new UserClient(this.#http, session.user.id, session.access_token);
  }
}

/** A client acting as one user: signed in by EdgeClient.as, or given a token (benches). */
export class UserClient {
  readonly #http: EdgeHttp;
  readonly #authorization: string;
  readonly id: string;

  constructor(http: EdgeHttp, id: string, token: string) {
    this.#http = http;
    this.id = id;
    this.#authorization = `Bearer ${token}`;
  }

  async openLotsOf(sellerId: string): Promise<RestLot[]> {
    const query = new URLSearchParams({ status: "open", seller_id: sellerId, limit: "100" });
    const res = await this.#send("GET", `/v1/lots?${query}`);
    if (res.status !== 200) throw failure("listing lots", res);
    return res.json<{ items: RestLot[] }>().items;
  }

  async createLot(draft: Record<string, unknown>, key: string): Promise<RestLot> {
    const res = await this.#send("POST", "/v1/lots", draft, { "idempotency-key": key });
    if (res.status !== 201) throw failure("creating a lot", res);
    return res.json<RestLot>();
  }

  /** Places a bid; a refusal (too low, lot closed, rate-limited) answers with its problem. */
  async bid(
    lotId: string,
    amount: RestMoney,
  ): Promise<{ ok: true } | { ok: false; problem: Problem }> {
    const res = await this.#send("POST", `/v1/lots/${encodeURIComponent(lotId)}/bids`, { amount });
    if (res.status === 201) return { ok: true };
    let problem: Partial<Problem> = {};
    try {
      problem = res.json<Problem>();
    } catch {
      // Not problem+json (a proxy's page, say): the status alone tells what happened.
    }
    return { ok: false, problem: { ...problem, status: res.status } };
  }

  #send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    return this.#http.send(method, path, {
      body,
      headers: { authorization: this.#authorization, ...headers },
    });
  }
}

function failure(what: string, res: HttpAnswer): Error {
  return new Error(`${what} answered ${res.status}: ${res.body.slice(0, 200)}`);
}
