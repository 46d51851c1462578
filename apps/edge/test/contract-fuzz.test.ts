import { randomInt } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { OpenApiDocument } from "./contract/document-match.ts";
import { ValidValues } from "./contract/request-arbitraries.ts";
import { adjustments } from "./contract/request-adjustments.ts";
import {
  answerOf,
  notAProblem,
  notAShapeProblem,
  notLineByLine,
  serverError,
  shapeRefusal,
  type Answer,
} from "./contract/request-answers.ts";
import { BrokenValues } from "./contract/request-breaks.ts";
import { ServedDocument, type DocumentedOperation } from "./contract/request-document.ts";
import { makeFixtures, type Fixtures } from "./contract/request-fixtures.ts";
import {
  fetchOf,
  NDJSON,
  RequestGenerator,
  requestViolations,
  type GeneratedRequest,
} from "./contract/request-generation.ts";
import { checkResponse } from "./contract/response-check.ts";
import { useEdgeStack } from "./edge-stack.ts";

/**
 * A property-based contract test: requests generated from the OpenAPI document the edge
 * serves, valid ones and ones broken in exactly one place, sent to a real stack with its
 * default rate limits on; every answer is judged by that same document. FC_SEED replays
 * a run's seed; FC_NUM_RUNS and FC_OPERATION_MS change the runs per operation and
 * property and the time each may take.
 */
const stack = useEdgeStack({}, { settlement: true });
const CLIENTS = 8;
const RUNS = Number(process.env.FC_NUM_RUNS ?? 25);
/** Slow operations (sign-up hashes a password twice) get fewer runs, so the file stays short. */
const OPERATION_BUDGET_MS = Number(process.env.FC_OPERATION_MS ?? 2_500);
const SEED = Number(process.env.FC_SEED ?? randomInt(2 ** 31));
/** A 429 is a documented answer, but this file paces itself so that few are limited. */
const MAX_LIMITED_SHARE = 0.05;

let document: ServedDocument;
let fixtures: Fixtures;
let requests: RequestGenerator;

beforeAll(async () => {
  const served = await fetch(`${stack.base}/v1/openapi.json`);
  document = new ServedDocument((await served.json()) as OpenApiDocument);
  fixtures = await makeFixtures(stack.base, CLIENTS);
  const values = new ValidValues(document);
  requests = new RequestGenerator(values, new BrokenValues(values), CLIENTS, adjustments(fixtures));
}, 60_000);

describe("the REST edge against its own OpenAPI document", () => {
  it("answers valid requests with documented answers, never a 5xx or a refusal of their shape", async () => {
    const tally = new StatusTally("valid");
    const failures = await everyOperation(document.operations(), (op) =>
      fc.asyncProperty(requests.valid(op), async (request) => {
        const invalid = requestViolations(document, op, request);
        if (invalid.length)
          throw new Error(`a fixture value breaks the document: ${invalid.join("; ")}`);
        const exchange = await send(op, request, tally);
        const { answer } = exchange;
        judge(exchange, [
          serverError(answer),
          ...undocumented(exchange),
          answer.status >= 400 ? notAProblem(answer) : undefined,
          shapeRefusal(answer),
          answer.status === 200 && Array.isArray(request.body) && op.body?.mediaType === NDJSON
            ? notLineByLine(answer, request.body.length)
            : undefined,
        ]);
      }),
    );
    tally.report();
    expect(failures).toEqual([]);
    tally.expectFewLimited();
  }, 120_000);

  it("answers requests broken in one place with a 400 or 422 problem, documented, never a 5xx", async () => {
    const tally = new StatusTally("invalid");
    const breakable = document.operations().filter((op) => requests.breakable(op));
    expect(breakable.length).toBeGreaterThan(0);
    const failures = await everyOperation(breakable, (op) =>
      fc.asyncProperty(requests.invalid(op), async ({ request, broke, line }) => {
        if (!requestViolations(document, op, request).length)
          throw new Error(`the generator's "${broke}" left the request valid`);
        const exchange = await send(op, request, tally);
        const { answer } = exchange;
        // A 429 comes before any validation: documented, but it says nothing of the shape.
        const refusal =
          answer.status === 429
            ? notAProblem(answer)
            : line
              ? notLineByLine(answer, (request.body as unknown[]).length, line)
              : notAShapeProblem(answer);
        judge(
          exchange,
          [serverError(answer), ...undocumented(exchange), refusal],
          `broke ${broke}`,
        );
      }),
    );
    tally.report();
    expect(failures).toEqual([]);
    tally.expectFewLimited();
  }, 120_000);
});

/** Statuses per operation, for a summary line and the share of rate-limited answers. */
class StatusTally {
  readonly #name: string;
  readonly statuses: Record<string, Record<number, number>> = {};

  constructor(name: string) {
    this.#name = name;
  }

  count(op: DocumentedOperation, status: number): void {
    const byStatus = (this.statuses[op.label] ??= {});
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }

  #sum(status?: number): number {
    return Object.values(this.statuses)
      .flatMap((byStatus) => Object.entries(byStatus))
      .filter(([s]) => status === undefined || Number(s) === status)
      .reduce((sum, [, n]) => sum + n, 0);
  }

  report(): void {
    const summary = { seed: SEED, runs: RUNS, total: this.#sum(), limited: this.#sum(429) };
    console.info(`contract fuzz, ${this.#name} requests`, { ...summary, statuses: this.statuses });
  }

  expectFewLimited(): void {
    expect(this.#sum()).toBeGreaterThan(0);
    expect(this.#sum(429)).toBeLessThanOrEqual(this.#sum() * MAX_LIMITED_SHARE);
  }
}

interface Exchange {
  op: DocumentedOperation;
  url: string;
  init: RequestInit;
  answer: Answer;
}

/** Runs one property per operation and returns every failure, each with its seed. */
async function everyOperation<T>(
  operations: DocumentedOperation[],
  property: (op: DocumentedOperation) => fc.IAsyncProperty<[T]>,
): Promise<string[]> {
  const failures: string[] = [];
  for (const op of operations) {
    // No shrinking: each attempt is a request to a live stack, and the first is readable.
    const details = await fc.check(property(op), {
      seed: SEED,
      numRuns: RUNS,
      endOnFailure: true,
      interruptAfterTimeLimit: OPERATION_BUDGET_MS,
    });
    if (details.failed)
      failures.push(
        `${op.label} (FC_SEED=${SEED}): ${String((details.errorInstance as Error | undefined)?.message ?? fc.defaultReportMessage(details))}`,
      );
  }
  return failures;
}

async function send(
  op: DocumentedOperation,
  request: GeneratedRequest,
  tally: StatusTally,
): Promise<Exchange> {
  const client = fixtures.clients[request.caller]!;
  const { url, init } = fetchOf(stack.base, op, request, client);
  const answer = await answerOf(await fetch(url, init));
  tally.count(op, answer.status);
  return { op, url, init, answer };
}

/** What the document does not promise of an answer (status, headers, body), by the shared check. */
function undocumented({ init, url, answer }: Exchange): string[] {
  const { pathname, search } = new URL(url);
  const { status, headers, text: body } = answer;
  return checkResponse(document.raw, {
    method: init.method!,
    path: pathname + search,
    status,
    headers,
    body,
  });
}

/** Throws the findings, if any, with the exchange that showed them. */
function judge(exchange: Exchange, findings: Array<string | undefined>, context = ""): void {
  const found = findings.filter(Boolean);
  if (!found.length) return;
  const { init, url, answer } = exchange;
  const body = typeof init.body === "string" ? init.body.slice(0, 400) : "";
  const headers = JSON.stringify(init.headers).replace(/Bearer [\w.-]+/, "Bearer …");
  throw new Error(
    [
      found.join("; "),
      ...(context ? [context] : []),
      `sent: ${init.method} ${url} ${headers} ${body}`,
      `answer: ${answer.status} ${answer.text.slice(0, 400)}`,
    ].join("\n  "),
  );
}
