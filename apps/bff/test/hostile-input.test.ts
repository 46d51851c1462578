import { createHash } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { expectSurvived, hostileRuns, memoryBaseline, type MemoryBaseline } from "@gavel/testing";
import { startBffStack, type BffStack } from "./bff-stack.ts";

/**
 * Generated hostile input to the GraphQL BFF: documents (syntax garbage, depth and alias
 * bombs, fragment cycles), variables of the wrong type, batches and persisted-query
 * hashes. Whatever arrives, the answer is never a 5xx, and every error names what was
 * wrong (a message and an extensions.code); the BFF stays up, its memory comes back and
 * the next honest query is answered.
 */
let stack: BffStack;
let baseline: MemoryBaseline;
beforeAll(async () => {
  stack = await startBffStack(inject("natsUrl"), {}, { inspectFront: true });
  await honestQuery();
  baseline = await memoryBaseline(stack.bff);
}, 120_000);
afterAll(async () => expect(await stack.stop()).toEqual([0, 0, 0, 0]));

async function honestQuery() {
  const res = await post({ query: "{ lots(first: 1) { totalCount } }" });
  expect(res.status).toBe(200);
  expect(JSON.parse(res.body)).toMatchObject({
    data: { lots: { totalCount: expect.any(Number) } },
  });
}

interface Answer {
  status: number;
  body: string;
}

async function post(body: unknown, raw = false): Promise<Answer> {
  const res = await fetch(stack.endpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: raw ? String(body) : JSON.stringify(body),
  });
  return { status: res.status, body: await res.text() };
}

/** The statuses the current property was answered with, for its summary line. */
let statuses: Record<number, number> = {};

/** Why an answer is wrong for hostile input, or undefined when it is a proper one. */
function improper({ status, body }: Answer): string | undefined {
  statuses[status] = (statuses[status] ?? 0) + 1;
  if (status >= 500) return `HTTP ${status}: ${body.slice(0, 300)}`;
  // Node's HTTP parser refuses a URL past its 16 KiB header limit before the app sees it.
  if (status === 431) return undefined;
  let parsed: { errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return `HTTP ${status}, not JSON: ${body.slice(0, 200)}`;
  }
  for (const error of parsed.errors ?? []) {
    if (typeof error.message !== "string" || error.message.length === 0)
      return `an error without a message: ${JSON.stringify(error)}`;
    if (typeof error.extensions?.code !== "string")
      return `an error without a code: ${JSON.stringify(error)}`;
    if (error.extensions.code === "INTERNAL_SERVER_ERROR")
      return `INTERNAL_SERVER_ERROR: ${error.message}`;
  }
  if (status >= 400 && !parsed.errors?.length) return `HTTP ${status} without errors: ${body}`;
  return undefined;
}

const name = fc.constantFrom(
  "lots",
  "lot",
  "viewer",
  "seller",
  "edges",
  "node",
  "id",
  "__typename",
  "x",
);
const garbage = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc
    .array(
      fc.oneof(
        name,
        fc.constantFrom(
          "{",
          "}",
          "(",
          ")",
          "[",
          "]",
          ":",
          "$",
          "@",
          "!",
          "...",
          "=",
          '"',
          "#",
          "query",
          "fragment",
          "on",
          "1e999",
          "\\u0000",
        ),
      ),
      { maxLength: 80 },
    )
    .map((tokens) => tokens.join(" ")),
);
const depthBomb = fc.integer({ min: 1, max: 60 }).map((depth) => {
  let nested = "id";
  for (let i = 0; i < depth; i++)
    nested = `bids(first: 1) { edges { node { lot { ${nested} } } } }`;
  return `{ lot(id: "x") { ${nested} } }`;
});
const aliasBomb = fc
  .tuple(
    fc.integer({ min: 1, max: 3000 }),
    fc.constantFrom("__typename", "lots(first: 1) { totalCount }"),
  )
  .map(([n, field]) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ")} }`);
const fragmentCycle = fc.integer({ min: 1, max: 30 }).map((n) => {
  const fragments = Array.from(
    { length: n },
    (_, i) => `fragment F${i} on Query { ...F${(i + 1) % n} }`,
  );
  return `{ ...F0 } ${fragments.join(" ")}`;
});
const document = fc.oneof(garbage, depthBomb, aliasBomb, fragmentCycle);

const operation = fc.constantFrom(
  "query($n: Int) { lots(first: $n) { totalCount } }",
  "query($id: ID!) { lot(id: $id) { title } }",
  "query($after: String) { lots(after: $after) { totalCount } }",
  'mutation($m: MoneyInput!) { placeBid(lotId: "l", bidId: "b", amount: $m) { __typename } }',
);
const request = fc.record(
  {
    query: fc.oneof(document, operation, fc.jsonValue()),
    variables: fc.oneof(
      fc.dictionary(fc.constantFrom("n", "id", "after", "m", "other"), fc.jsonValue()),
      fc.jsonValue(),
    ),
    operationName: fc.oneof(fc.string({ maxLength: 20 }), fc.jsonValue()),
    extensions: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe("GraphQL hostile input", () => {
  const survive = async (started: number, label: string, runs: number) => {
    const survival = await expectSurvived(stack.bff, baseline, honestQuery);
    console.info(`hostile graphql ${label}`, {
      runs,
      statuses,
      ms: Date.now() - started,
      ...survival,
    });
  };

  it("answers generated documents and variables with GraphQL errors that say what is wrong", async () => {
    const started = Date.now();
    statuses = {};
    const options = hostileRuns(200);
    await fc.assert(
      fc.asyncProperty(request, async (body) => {
        const wrong = improper(await post(body));
        if (wrong) throw new Error(`${JSON.stringify(body).slice(0, 500)}: ${wrong}`);
      }),
      options,
    );
    await survive(started, "documents", options.numRuns);
  }, 180_000);

  it("answers batches, bodies that are not operations and huge bodies with a 4xx", async () => {
    const started = Date.now();
    statuses = {};
    const options = hostileRuns(100);
    const body = fc.oneof(
      fc.array(fc.oneof(request, fc.jsonValue()), { maxLength: 200 }).map((b) => JSON.stringify(b)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc
        .integer({ min: 100_000, max: 3_000_000 })
        .map((n) => JSON.stringify({ query: `{ ${"x ".repeat(n / 2)}}` })),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const wrong = improper(await post(text, true));
        if (wrong) throw new Error(`${text.slice(0, 300)}: ${wrong}`);
      }),
      options,
    );
    await survive(started, "batches", options.numRuns);
  }, 180_000);

  it("answers unknown and malformed persisted-query hashes, GET and POST, with a GraphQL error", async () => {
    const started = Date.now();
    statuses = {};
    const options = hostileRuns(150);
    const hash = fc.oneof(
      fc.stringMatching(/^[0-9a-f]{64}$/),
      fc.string({ maxLength: 100 }),
      fc.jsonValue(),
      fc.constant(createHash("sha256").update("{ other }").digest("hex")),
    );
    const persisted = fc.record(
      {
        version: fc.oneof(fc.constant(1), fc.jsonValue()),
        sha256Hash: hash,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        persisted,
        fc.option(document, { nil: undefined }),
        fc.boolean(),
        async (persistedQuery, query, viaGet) => {
          const extensions = { persistedQuery };
          let answer: Answer;
          if (viaGet) {
            const params = new URLSearchParams({ extensions: JSON.stringify(extensions) });
            if (query !== undefined) params.set("query", query);
            const res = await fetch(`${stack.endpoint}?${params}`, {
              headers: { "apollo-require-preflight": "true" },
            });
            answer = { status: res.status, body: await res.text() };
          } else answer = await post({ query, extensions });
          const wrong = improper(answer);
          if (wrong)
            throw new Error(`${JSON.stringify({ query, extensions }).slice(0, 300)}: ${wrong}`);
        },
      ),
      options,
    );
    await survive(started, "persisted queries", options.numRuns);
  }, 180_000);
});
