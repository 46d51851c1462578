/**
 * Places bids through the REST edge as a load generator: keep-alive HTTP/1.1 from
 * node:http (lighter on the shared cores than fetch), a rotating set of bidders, and per
 * lot the last minimum the edge reported, so most bids are real raises.
 */
import http from "node:http";
import { randomUUID } from "node:crypto";
import { mintToken } from "@gavel/testing";

export interface BidOutcome {
  /** 201: the bid was accepted. */
  accepted: boolean;
  /** 409: refused by the rules (too low, already the highest bidder); a normal outcome. */
  refused: boolean;
}

interface Answer {
  status: number;
  body: string;
}

export class EdgeBidder {
  readonly #agent: http.Agent;
  readonly #bidders: string[];
  readonly #seller: string;
  readonly #minimums = new Map<string, number>();

  private constructor(connections: number, bidders: string[], seller: string) {
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    this.#bidders = bidders;
    this.#seller = seller;
  }

  /** Tokens minted with the test keys, which services started by @gavel/testing trust. */
  static async create(connections: number, bidderCount: number): Promise<EdgeBidder> {
    const bearer = async () => `Bearer ${await mintToken(randomUUID())}`;
    const bidders = await Promise.all(Array.from({ length: bidderCount }, bearer));
    return new EdgeBidder(connections, bidders, await bearer());
  }

  /** Lists `count` open lots through the edge; returns their ids. */
  async newLots(edgeUrl: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const draft = {
        title: `Bench lot ${i}`,
        starting_price: { currency: "EUR", amount_minor: 100 },
        ends_at: new Date(Date.now() + 3600_000).toISOString(),
      };
      const answer = await this.#post(`${edgeUrl}/v1/lots`, draft, this.#seller);
      if (answer.status !== 201) throw new Error(`POST /v1/lots: ${answer.status} ${answer.body}`);
      const id = (JSON.parse(answer.body) as { id: string }).id;
      this.#minimums.set(id, 100);
      ids.push(id);
    }
    return ids;
  }

  /**
   * One bid on `lotId` a little over its last known minimum. Resolves with the outcome of
   * a 201 or 409; rejects for anything else (5xx, another 4xx, a network error).
   */
  async bid(edgeUrl: string, lotId: string, bidder: number): Promise<BidOutcome> {
    const minimum = this.#minimums.get(lotId) ?? 100;
    const amount = minimum + Math.floor(Math.random() * 4) * 100;
    const answer = await this.#post(
      `${edgeUrl}/v1/lots/${lotId}/bids`,
      { amount: { currency: "EUR", amount_minor: amount } },
      this.#bidders[bidder % this.#bidders.length]!,
    );
    if (answer.status === 201) {
      this.#raise(lotId, amount + 1);
      return { accepted: true, refused: false };
    }
    if (answer.status === 409) {
      const problem = JSON.parse(answer.body) as { minimum_next_bid?: { amount_minor: number } };
      if (problem.minimum_next_bid) this.#raise(lotId, problem.minimum_next_bid.amount_minor);
      return { accepted: false, refused: true };
    }
    throw new Error(`POST bids: ${answer.status} ${answer.body.slice(0, 200)}`);
  }

  close(): void {
    this.#agent.destroy();
  }

  #raise(lotId: string, minimum: number): void {
    if (minimum > (this.#minimums.get(lotId) ?? 0)) this.#minimums.set(lotId, minimum);
  }

  #post(url: string, body: unknown, authorization: string): Promise<Answer> {
    const json = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method: "POST",
          agent: this.#agent,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(json),
            authorization,
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(json);
    });
  }
}
