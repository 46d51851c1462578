import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectSurvived,
  hostileRuns,
  memoryBaseline,
  type MemoryBaseline,
  startNatsServer,
  type NatsServerHandle,
} from "@gavel/testing";
import * as shapes from "../src/api/response-schemas.ts";
import { lotBody, postJson, signedInUser, startEdgeStack, type EdgeStack } from "./edge-stack.ts";
import { AnswerTally, answerOf, body, contentType, headerText, rawGet } from "./hostile-rest.ts";

/**
 * Generated hostile input to the REST edge: bodies, headers, query strings and paths.
 * Whatever arrives, the answer is never a 5xx, and every error is problem+json whose
 * status matches the response's; the edge stays up, its memory comes back and the next
 * honest request is served.
 */
let nats: NatsServerHandle;
let stack: EdgeStack;
let base: string;
let auth: { authorization: string };
let lotId: string;
/** The edge's RSS once it has served one of each kind of request, before any property. */
let baseline: MemoryBaseline;
const tally = new AnswerTally();
beforeAll(async () => {
  // Limits out of the way: a 429 is a fine answer, but it would hide what comes after it.
  // On a NATS of its own: the edges count requests per IP in NATS, and these hundreds of
  // requests from 127.0.0.1 would use up the per-IP window of the test files after it.
  nats = await startNatsServer();
  stack = await startEdgeStack(
    nats.url,
    { GAVEL_RATE_LIMIT_PER_IP: "1000000", GAVEL_RATE_LIMIT_PER_USER: "1000000" },
    { inspectFront: true },
  );
  base = stack.base;
  ({ auth } = await signedInUser(base));
  lotId = shapes.Lot.parse(await (await postJson(`${base}/v1/lots`, lotBody(), auth)).json()).id;
  await fetch(`${base}/v1/lots?limit=5`);
  await fetch(`${base}/v1/lots/${lotId}`);
  baseline = await memoryBaseline(stack.edge);
}, 120_000);
afterAll(async () => {
  expect(await stack.stop()).toEqual([0, 0, 0, 0]);
  await nats.stop();
});

describe("REST hostile input", () => {
  const survive = async (started: number, label: string, runs: number) => {
    const survival = await expectSurvived(stack.edge, baseline, async () => {
      const res = await fetch(`${base}/v1/lots/${lotId}`);
      expect(res.status).toBe(200);
      expect(shapes.Lot.parse(await res.json()).id).toBe(lotId);
    });
    console.info(`hostile rest ${label}`, {
      runs,
      statuses: tally.statuses,
      ms: Date.now() - started,
      ...survival,
    });
  };

  it("answers generated bodies, content types and headers on every write with a 4xx problem", async () => {
    const started = Date.now();
    tally.reset();
    const writes = [
      "/v1/auth/sign-in",
      "/v1/auth/sign-up",
      "/v1/lots",
      `/v1/lots/${lotId}/bids`,
      `/v1/lots/${lotId}/cancel`,
      "/v1/lots/import",
    ];
    const options = hostileRuns(200);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...writes),
        body,
        contentType,
        fc.constantFrom<"none" | "valid" | "garbage">("none", "valid", "garbage"),
        fc.option(headerText(300), { nil: undefined }),
        async (path, { text, label }, type, who, idempotencyKey) => {
          const headers: Record<string, string> = {};
          if (type) headers["content-type"] = type;
          if (who === "valid") Object.assign(headers, auth);
          if (who === "garbage")
            headers.authorization = `Bearer ${text.slice(0, 40).replace(/[^\x20-\x7e]/g, "")}`;
          if (idempotencyKey !== undefined) headers["idempotency-key"] = idempotencyKey;
          const res = await fetch(`${base}${path}`, { method: "POST", headers, body: text });
          const wrong = tally.improper(await answerOf(res));
          if (wrong) throw new Error(`POST ${path} (${label}, ${type}): ${wrong}`);
        },
      ),
      options,
    );
    await survive(started, "bodies", options.numRuns);
  }, 180_000);

  it("answers generated Accept, If-None-Match, Authorization and other headers on reads", async () => {
    const started = Date.now();
    tally.reset();
    const options = hostileRuns(150);
    const names = fc.constantFrom(
      "accept",
      "if-none-match",
      "if-modified-since",
      "authorization",
      "idempotency-key",
      "accept-encoding",
      "range",
      "content-type",
      "x-forwarded-for",
      "origin",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/v1", "/v1/lots", `/v1/lots/${lotId}`, `/v1/lots/${lotId}/bids`, "/v1/me"),
        fc.dictionary(
          names,
          fc.oneof(
            headerText(200),
            fc.constantFrom('W/"x"', "*", "Bearer ", "Basic Og==", "application/xml"),
          ),
          { maxKeys: 4 },
        ),
        async (path, headers) => {
          const res = await fetch(`${base}${path}`, { headers });
          const wrong = tally.improper(await answerOf(res));
          if (wrong) throw new Error(`GET ${path} ${JSON.stringify(headers)}: ${wrong}`);
        },
      ),
      options,
    );
    await survive(started, "headers", options.numRuns);
  }, 180_000);

  it("answers generated query strings with a 4xx problem", async () => {
    const started = Date.now();
    tally.reset();
    const options = hostileRuns(150);
    const key = fc.oneof(
      fc.constantFrom(
        "limit",
        "cursor",
        "status",
        "seller",
        "q",
        "sort",
        "before",
        "after",
        "limit[]",
        "__proto__",
      ),
      fc.string({ maxLength: 20 }),
    );
    const value = fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.integer().map(String),
      fc.double().map(String),
      fc.constantFrom("-1", "0", "1e9", "NaN", "open", "OPEN", "", "%", "%zz"),
      fc.base64String({ maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/v1/lots", `/v1/lots/${lotId}/bids`, "/v1/me/invoices"),
        fc.array(fc.tuple(key, value), { maxLength: 5 }),
        fc.boolean(),
        async (path, pairs, raw) => {
          // Raw: the pairs as typed, malformed percent-escapes and all.
          const query = raw
            ? pairs
                .map(([k, v]) => `${k}=${v}`)
                .join("&")
                .replace(/[^\x21-\x7e]/g, "")
            : new URLSearchParams(pairs).toString();
          const res = await rawGet(base, `${path}?${query}`);
          const wrong = tally.improper(res);
          if (wrong) throw new Error(`GET ${path}?${query}: ${wrong}`);
        },
      ),
      options,
    );
    await survive(started, "query strings", options.numRuns);
  }, 180_000);

  it("answers garbage ids, encoded bytes and traversal in paths with a 4xx problem", async () => {
    const started = Date.now();
    tally.reset();
    const options = hostileRuns(150);
    const segment = fc.oneof(
      fc.string({
        unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
        maxLength: 60,
      }),
      fc
        .uint8Array({ maxLength: 20 })
        .map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, "0")}`).join("")),
      fc.constantFrom(
        "..",
        "%2e%2e",
        "%2F",
        "%00",
        "%",
        "%c0%ae",
        "..%2f..%2fetc%2fpasswd",
        "x".repeat(5000),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          "/v1/lots/",
          "/v1/users/",
          "/v1/lots/{}/bids",
          "/v1/lots/{}/invoice",
          "/v1/",
        ),
        segment,
        async (template, garbage) => {
          const path = template.includes("{}")
            ? template.replace("{}", garbage)
            : template + garbage;
          const res = await rawGet(base, path.replace(/#|\?/g, "%23"));
          const wrong = tally.improper(res);
          if (wrong) throw new Error(`GET ${path}: ${wrong}`);
        },
      ),
      options,
    );
    await survive(started, "paths", options.numRuns);
  }, 180_000);
});
