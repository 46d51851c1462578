import { describe, expect, it } from "vitest";
import * as shapes from "../src/api/response-schemas.ts";
import { lotBody, postJson, signedInUser, useEdgeStack } from "./edge-stack.ts";

const stack = useEdgeStack();

describe("errors are problem+json with the right status, never a 5xx", () => {
  const cases: Array<[string, () => Promise<Response>, number, RegExp?]> = [];
  const bad = (name: string, call: () => Promise<Response>, status: number, detail?: RegExp) =>
    cases.push([name, call, status, detail]);
  bad(
    "malformed JSON",
    () =>
      fetch(`${stack.base}/v1/auth/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{not json",
      }),
    400,
  );
  bad(
    "unknown field",
    () => postJson(`${stack.base}/v1/auth/sign-in`, { email: "a@b.c", password: "x", admin: true }),
    400,
    /body\.admin: unknown field/,
  );
  bad(
    "wrong types",
    () => postJson(`${stack.base}/v1/auth/sign-up`, { email: 5, password: [], display_name: null }),
    400,
    /body\.email/,
  );
  bad(
    "a huge body",
    () => postJson(`${stack.base}/v1/auth/sign-in`, { email: "x".repeat(200_000), password: "p" }),
    413,
  );
  bad(
    "a form body",
    () =>
      fetch(`${stack.base}/v1/auth/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "email=a",
      }),
    415,
  );
  bad("a bad lot id", () => fetch(`${stack.base}/v1/lots/a.b`), 400, /path\.id/);
  bad(
    "an unknown lot",
    () => fetch(`${stack.base}/v1/lots/0197a4b2-7c1e-7000-8000-000000000000`),
    404,
  );
  bad("a bad cursor", () => fetch(`${stack.base}/v1/lots?cursor=garbage`), 400);
  bad(
    "an unknown query parameter",
    () => fetch(`${stack.base}/v1/lots?colour=red`),
    400,
    /query\.colour/,
  );
  bad("a limit out of range", () => fetch(`${stack.base}/v1/lots?limit=1000`), 400, /query\.limit/);
  bad("a wrong method", () => fetch(`${stack.base}/v1/lots/x`, { method: "DELETE" }), 405);
  bad("an unknown path", () => fetch(`${stack.base}/v2/lots`), 404);
  bad("a missing token on a write", () => postJson(`${stack.base}/v1/lots`, lotBody()), 401);
  bad(
    "a forged token",
    () => fetch(`${stack.base}/v1/me`, { headers: { authorization: "Bearer abc.def.ghi" } }),
    401,
  );

  it.each(cases.map(([name, call, status, detail]) => ({ name, call, status, detail })))(
    "answers $name with $status",
    async ({ call, status, detail }) => {
      const response = await call();
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      const problem = shapes.Problem.parse(await response.json());
      expect(problem.status).toBe(status);
      expect(problem.type).toMatch(/^https:\/\/gavel\.dev\/problems\//);
      if (detail) expect(problem.detail).toMatch(detail);
    },
  );

  it("says how to authenticate on a 401, and refuses a stranger cancelling a lot with 403", async () => {
    const anonymous = await postJson(`${stack.base}/v1/lots`, lotBody());
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer realm="gavel"/);
    const seller = await signedInUser(stack.base);
    const stranger = await signedInUser(stack.base);
    const lot = shapes.Lot.parse(
      await (await postJson(`${stack.base}/v1/lots`, lotBody(), seller.auth)).json(),
    );
    const refused = await postJson(`${stack.base}/v1/lots/${lot.id}/cancel`, {}, stranger.auth);
    expect(refused.status).toBe(403);
    const cancelled = await postJson(
      `${stack.base}/v1/lots/${lot.id}/cancel`,
      { reason: "withdrawn" },
      seller.auth,
    );
    expect(shapes.Lot.parse(await cancelled.json()).status).toBe("cancelled");
  });

  it("turns a refused bid into a 409 that names the reason and the minimum", async () => {
    const seller = await signedInUser(stack.base);
    const lot = shapes.Lot.parse(
      await (await postJson(`${stack.base}/v1/lots`, lotBody(), seller.auth)).json(),
    );
    const low = await postJson(
      `${stack.base}/v1/lots/${lot.id}/bids`,
      { amount: { currency: "EUR", amount_minor: 1 } },
      (await signedInUser(stack.base)).auth,
    );
    expect(low.status).toBe(409);
    const problem = shapes.Problem.parse(await low.json());
    expect(problem).toMatchObject({ reason: "too_low", minimum_next_bid: { amount_minor: 1000 } });
    const own = await postJson(
      `${stack.base}/v1/lots/${lot.id}/bids`,
      { amount: { currency: "EUR", amount_minor: 5000 } },
      seller.auth,
    );
    expect(own.status).toBe(403);
  });
});
