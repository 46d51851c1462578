import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi.ts";
import { OPERATIONS } from "./operations.ts";

type Item = Record<string, { responses: Record<string, unknown>; parameters?: unknown[] }>;
const document = openApiDocument() as {
  paths: Record<string, Item>;
  components: Record<string, Record<string, unknown>>;
};
const text = JSON.stringify(document);
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  ["get", "post"].filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m]! })),
);

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1, every $ref resolving", async () => {
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    for (const [, ref] of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
      const target = ref!
        .split("/")
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], document);
      expect(target, ref).toBeDefined();
    }
  });

  it("names its schemas once and refers to them, never inlining Money", () => {
    expect(Object.keys(document.components.schemas!)).toEqual(
      expect.arrayContaining(["Money", "MoneyInput", "Link", "Links", "Problem", "Lot", "Id"]),
    );
    const lot = JSON.stringify(document.components.schemas!.Lot);
    expect(lot).toContain('"$ref":"#/components/schemas/Money"');
    expect(lot).not.toContain('"amount_minor"');
  });

  it("lists an operation for every row of the operation table, and a preflight on every path", () => {
    expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual(
      OPERATIONS.map((o) => `${o.method} ${o.path}`).sort(),
    );
    for (const item of Object.values(document.paths))
      expect(Object.keys(item)).toEqual(expect.arrayContaining(["options", "x-other-methods"]));
  });

  it("gives every operation the answers any request may get, and every POST the key's", () => {
    for (const { method, path, op } of operations) {
      const statuses = Object.keys(op.responses);
      expect(statuses, `${method} ${path}`).toEqual(
        expect.arrayContaining(["400", "401", "408", "413", "415", "429"]),
      );
      if (method === "post") {
        expect(statuses, `${method} ${path}`).toEqual(
          expect.arrayContaining(["409", "422", "503"]),
        );
        expect(op.parameters).toContainEqual({ $ref: "#/components/parameters/IdempotencyKey" });
      }
    }
    expect(document.components.schemas!.IdempotencyKey).toMatchObject({
      pattern: "^[A-Za-z0-9_-]{1,64}$",
    });
  });

  it("answers another method with 405 and the Allow the route sends", () => {
    const allow = (path: string) =>
      JSON.stringify(document.paths[path]!["x-other-methods"]!.responses["405"]);
    expect(allow("/v1/lots")).toContain('"const":"GET, POST, HEAD"');
    expect(allow("/v1/lots/import")).toContain('"const":"POST"');
    expect(allow("/v1/lots/{id}")).toContain('"const":"GET, HEAD"');
  });

  it("documents 304 only where the route sends an ETag, and Link on pages", () => {
    const conditional = operations.filter((o) => o.op.responses["304"]).map((o) => o.path);
    expect(conditional.sort()).toEqual([
      "/v1/lots/{id}",
      "/v1/lots/{id}/bids",
      "/v1/lots/{id}/invoice",
      "/v1/openapi.json",
    ]);
    const lots = document.paths["/v1/lots"]!.get!.responses["200"] as { headers: object };
    expect(lots.headers).toHaveProperty("Link");
  });

  it("states the Problem's extensions, violated_policies too", () => {
    expect(document.components.schemas!.Problem).toMatchObject({
      additionalProperties: false,
      properties: { violated_policies: expect.any(Object), minimum_next_bid: expect.any(Object) },
    });
  });
});
