import { EdgeHttp, type HttpAnswer } from "@gavel/load";
import { Tally } from "@gavel/testing";

/** A lot's highest bid as a read answered it (null: no bid yet). */
export interface Observation {
  via: "REST" | "GraphQL";
  lotId: string;
  highestMinor: number | null;
}

const LOT_QUERY = "query Lot($id: ID!) { lot(id: $id) { id status highestBid { amountMinor } } }";
const PAUSE_MS = 20;

/**
 * Readers of the round's lots while it runs: one through the REST edge (GET /v1/lots/{id})
 * and one through the GraphQL BFF, each reading lot after lot. Every answer is either a
 * retryable error or an observation, which the checks hold against the stream: a read
 * may lag, but must never show a highest bid that was not accepted.
 */
export class Readers {
  readonly observations: Observation[] = [];
  readonly retryable = new Tally();
  readonly wrong: string[] = [];
  readonly #loops: Array<Promise<void>> = [];
  readonly #clients: EdgeHttp[] = [];
  #stopped = false;

  constructor(edgeUrl: string, bffUrl: string, lotIds: string[]) {
    const rest = new EdgeHttp(edgeUrl, 2);
    const graph = new EdgeHttp(bffUrl, 2);
    this.#clients.push(rest, graph);
    this.#loops.push(
      this.#loop(lotIds, (lotId) => rest.send("GET", `/v1/lots/${lotId}`), "REST", restHighest),
      this.#loop(
        lotIds,
        (lotId) =>
          graph.send("POST", "/graphql", {
            body: { query: LOT_QUERY, variables: { id: lotId } },
            headers: { "apollo-require-preflight": "true" },
          }),
        "GraphQL",
        graphHighest,
      ),
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#loops);
    for (const client of this.#clients) client.close();
  }

  async #loop(
    lotIds: string[],
    read: (lotId: string) => Promise<HttpAnswer>,
    via: Observation["via"],
    highest: (answer: HttpAnswer) => number | null | "retry" | string,
  ): Promise<void> {
    for (let i = 0; !this.#stopped; i++) {
      const lotId = lotIds[i % lotIds.length]!;
      try {
        const answer = await read(lotId);
        const found = highest(answer);
        if (found === "retry") this.retryable.add(`${via} ${retryLabel(via, answer.status)}`);
        else if (typeof found === "string") this.wrong.push(`${via} ${lotId}: ${found}`);
        else this.observations.push({ via, lotId, highestMinor: found });
      } catch (err) {
        this.retryable.add(`${via} ${(err as { code?: string }).code ?? String(err)}`);
      }
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
  }
}

const retryLabel = (via: Observation["via"], status: number) =>
  via === "GraphQL" && status === 200 ? "SERVICE_UNAVAILABLE" : String(status);

function restHighest(answer: HttpAnswer): number | null | "retry" | string {
  if (answer.status === 503 || answer.status === 504 || answer.status === 502) return "retry";
  if (answer.status !== 200) return `answered ${answer.status}: ${answer.body.slice(0, 200)}`;
  const lot = answer.json<{ highest_bid: { amount_minor: number } | null }>();
  return lot.highest_bid?.amount_minor ?? null;
}

/**
 * GraphQL answers 200 with `errors` when a service below is down: retryable when every
 * error says UNAVAILABLE (the BFF's code for it), wrong otherwise.
 */
function graphHighest(answer: HttpAnswer): number | null | "retry" | string {
  if (answer.status === 503 || answer.status === 504 || answer.status === 502) return "retry";
  const body = answer.json<{
    data?: { lot: { highestBid: { amountMinor: string } | null } | null };
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  }>();
  if (body.errors?.length) {
    const codes = body.errors.map((e) => e.extensions?.code);
    if (codes.every((c) => c === "SERVICE_UNAVAILABLE")) return "retry";
    return `errors ${JSON.stringify(body.errors).slice(0, 200)}`;
  }
  if (answer.status !== 200 || !body.data?.lot)
    return `answered ${answer.status}: ${answer.body.slice(0, 200)}`;
  const amount = body.data.lot.highestBid?.amountMinor;
  return amount === undefined ? null : Number(amount);
}
