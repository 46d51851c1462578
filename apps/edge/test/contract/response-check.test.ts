import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/openapi/openapi.ts";
import type { OpenApiDocument } from "./document-match.ts";
import { checkResponse, type ReceivedResponse } from "./response-check.ts";

const document = openApiDocument() as OpenApiDocument;
const LOT_ID = "0197a4b2-7c1e-7000-8000-0000000000a1";

const lot = {
  id: LOT_ID,
  title: "A brass lamp",
  description: "",
  seller_id: "u1",
  status: "open",
  starting_price: { currency: "EUR", amount_minor: 1000, amount: "10.00" },
  reserve_met: true,
  highest_bid: null,
  bid_count: 0,
  winner_id: null,
  created_at: "2026-01-01T00:00:00.000Z",
  ends_at: "2026-01-02T00:00:00.000Z",
  snipe_window_seconds: 0,
  version: 3,
  _links: { self: { href: `/v1/lots/${LOT_ID}` } },
};

const problem = (status: number, extra: Record<string, unknown> = {}) => ({
  type: "https://gavel.dev/problems/not-found",
  title: "Not found",
  status,
  detail: "no such lot",
  instance: `/v1/lots/${LOT_ID}`,
  ...extra,
});

const counted = { "cache-control": "no-store", ratelimit: '"per-ip";r=7;t=3' };
const json = { "content-type": "application/json; charset=utf-8" };
const problemJson = { "content-type": "application/problem+json; charset=utf-8" };

function check(response: Partial<ReceivedResponse>): string[] {
  return checkResponse(document, {
    method: "GET",
    path: `/v1/lots/${LOT_ID}`,
    status: 200,
    headers: {},
    body: "",
    ...response,
  });
}

describe("the response check", () => {
  it("passes a response the document promises", () => {
    expect(
      check({
        headers: {
          ...json,
          ...counted,
          "cache-control": "public, max-age=5, stale-while-revalidate=30",
          etag: `"lot-${LOT_ID}-v3"`,
        },
        body: JSON.stringify(lot),
      }),
    ).toEqual([]);
    expect(
      check({
        status: 404,
        headers: { ...problemJson, ...counted },
        body: JSON.stringify(problem(404)),
      }),
    ).toEqual([]);
  });

  it("catches a status the operation does not list", () => {
    const wrong = check({ status: 418, headers: problemJson, body: JSON.stringify(problem(418)) });
    expect(wrong).toEqual([
      expect.stringMatching(
        /^GET \/v1\/lots\/\S+ -> 418: 418 is not an answer of GET \/v1\/lots\/\{id\} \(it lists 200, 304, 400/,
      ),
    ]);
  });

  it("catches a body that breaks its schema, a field too many and a problem with another status", () => {
    const headers = { ...json, ...counted, etag: '"x"' };
    const { bid_count: _, ...withoutCount } = lot;
    expect(check({ headers, body: JSON.stringify(withoutCount) })).toEqual([
      expect.stringMatching(/the body must have required property 'bid_count'/),
    ]);
    expect(check({ headers, body: JSON.stringify({ ...lot, secret: 1 }) })).toEqual([
      expect.stringMatching(/must NOT have additional properties/),
    ]);
    expect(
      check({
        status: 404,
        headers: { ...problemJson, ...counted },
        body: JSON.stringify(problem(400)),
      }),
    ).toEqual([expect.stringMatching(/the body at \/status: must be equal to constant 404/)]);
  });

  it("catches a missing required header, and a documented header with a bad value", () => {
    expect(check({ headers: { ...json, ...counted }, body: JSON.stringify(lot) })).toEqual([
      expect.stringMatching(/the required header ETag is missing/),
    ]);
    expect(
      check({
        method: "POST",
        path: "/v1/lots",
        status: 201,
        headers: { ...json, ...counted, etag: '"x"' },
        body: JSON.stringify(lot),
      }),
    ).toEqual([expect.stringMatching(/the required header Location is missing/)]);
    expect(
      check({
        status: 429,
        headers: { ...problemJson, ...counted, "retry-after": "soon" },
        body: JSON.stringify(problem(429)),
      }),
    ).toEqual([expect.stringMatching(/header Retry-After: "soon" must match pattern/)]);
  });

  it("catches an undocumented media type and a body where none is documented", () => {
    expect(
      check({ headers: { ...counted, etag: '"x"', "content-type": "text/plain" }, body: "hi" }),
    ).toEqual([
      expect.stringMatching(/the media type text\/plain is not documented \(application\/json\)/),
    ]);
    expect(
      check({
        status: 304,
        headers: { ...counted, etag: '"x"', "content-type": "text/plain" },
        body: "hi",
      }),
    ).toEqual([expect.stringMatching(/a body \(text\/plain\) where none is documented/)]);
  });

  it("answers other methods with 405 and Allow, paths not listed with 404, HEAD as GET", () => {
    const refused = {
      status: 405,
      headers: { ...problemJson, ...counted },
      body: JSON.stringify(problem(405)),
    };
    expect(
      check({ ...refused, method: "DELETE", headers: { ...refused.headers, allow: "GET, HEAD" } }),
    ).toEqual([]);
    expect(
      check({
        ...refused,
        method: "DELETE",
        headers: { ...refused.headers, allow: "GET, POST, HEAD" },
      }),
    ).toEqual([
      expect.stringMatching(
        /^DELETE .* \(DELETE \/v1\/lots\/\{id\} \(x-other-methods\)\): header Allow/,
      ),
    ]);
    expect(
      check({
        ...refused,
        method: "GET",
        path: "/v1/lots/import",
        headers: { ...refused.headers, allow: "POST" },
      }),
    ).toEqual([]);
    expect(check({ ...refused, path: "/v1/nothing" })).toEqual([
      expect.stringMatching(/405 is not an answer of GET \(a path not listed\)/),
    ]);
    expect(
      check({ method: "HEAD", headers: { ...counted, ...json, etag: '"x"' }, body: "" }),
    ).toEqual([]);
  });
});
