/**
 * The few REST calls the traffic needs, as any client of the public API makes them:
 * JSON, a Bearer token, Idempotency-Key on creation, problem+json on refusal.
 */
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
  readonly #base: string;

  constructor(base: string) {
    this.#base = base.replace(/\/+$/, "");
  }

  /** Signs the user up the first time, in afterwards; answers with a client acting as them. */
  async as(email: string, displayName: string, password: string): Promise<UserClient> {
    const signUp = await this.#post("/v1/auth/sign-up", {
      email,
      password,
      display_name: displayName,
    });
    if (!signUp.ok && signUp.status !== 409) throw await failure("sign-up", signUp);
    const signIn = await this.#post("/v1/auth/sign-in", { email, password });
    if (!signIn.ok) throw await failure("sign-in", signIn);
    const session = (await signIn.json()) as { access_token: string; user: { id: string } };
    return new UserClient(this.#base, session.user.id, session.access_token);
  }

  #post(path: string, body: unknown): Promise<Response> {
    return fetch(`${this.#base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }
}

export class UserClient {
  readonly #base: string;
  readonly #token: string;
  readonly id: string;

  constructor(base: string, id: string, token: string) {
    this.#base = base;
    this.id = id;
    this.#token = token;
  }

  async openLotsOf(sellerId: string): Promise<RestLot[]> {
    const query = new URLSearchParams({ status: "open", seller_id: sellerId, limit: "100" });
    const res = await this.#send("GET", `/v1/lots?${query}`);
    if (!res.ok) throw await failure("listing lots", res);
    return ((await res.json()) as { items: RestLot[] }).items;
  }

  async createLot(draft: Record<string, unknown>, key: string): Promise<RestLot> {
    const res = await this.#send("POST", "/v1/lots", draft, { "idempotency-key": key });
    if (!res.ok) throw await failure("creating a lot", res);
    return (await res.json()) as RestLot;
  }

  /** Places a bid; a refusal (too low, lot closed, rate-limited) answers with its problem. */
  async bid(
    lotId: string,
    amount: RestMoney,
  ): Promise<{ ok: true } | { ok: false; problem: Problem }> {
    const res = await this.#send("POST", `/v1/lots/${encodeURIComponent(lotId)}/bids`, { amount });
    if (res.ok) return { ok: true };
    const problem = (await res.json().catch(() => ({}))) as Problem;
    return { ok: false, problem: { ...problem, status: res.status } };
  }

  #send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    return fetch(`${this.#base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
}

async function failure(what: string, res: Response): Promise<Error> {
  return new Error(`${what} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
}
