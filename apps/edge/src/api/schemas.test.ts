import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { openApiDocument } from "../openapi/openapi.ts";
import * as requests from "./schemas.ts";

/**
 * The document states exactly what the edge accepts: for each text field, a string the
 * field's JSON Schema in /v1/openapi.json (read by a standard validator) calls valid is
 * one the edge's zod schema takes, and the other way round. Strings are drawn from all
 * of Unicode, with white space, control characters and emoji made likely.
 */
const document = openApiDocument();
const ajv = new Ajv2020({ strict: false });
addFormats.default(ajv);
ajv.addSchema({ ...document, $id: "https://gavel.invalid/openapi.json" });
const documented = (pointer: string) => {
  const validate = ajv.getSchema(`https://gavel.invalid/openapi.json#${pointer}`);
  if (!validate) throw new Error(`nothing at ${pointer}`);
  return (value: unknown) => validate(value);
};

const tricky = fc.constantFrom(
  " ",
  "\t",
  "\n",
  "\u0085",
  "\u00a0",
  "\u2028",
  "\u0000",
  "😀",
  "\ud800",
  "é",
  "a",
  "-",
  "_",
  ".",
  "@",
  "Z",
);
const text = (maxLength: number) =>
  fc.oneof(
    fc.string({ unit: "binary", maxLength }),
    fc.string({
      unit: fc.oneof(tricky, fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 })),
      maxLength,
    }),
  );

type Field = [string, z.ZodType, string, fc.Arbitrary<string>];
type Body = "CreateLotBody" | "CancelLotBody" | "SignUpBody" | "SignInBody";
/** A body's field: its zod schema, and its schema's place in the document. */
const field = (body: Body, name: string, strings: fc.Arbitrary<string>): Field => [
  `${body}.${name}`,
  (requests[body].shape as Record<string, z.ZodType>)[name]!,
  `/components/schemas/${body}/properties/${name}`,
  strings,
];
const named = (
  name: "Id" | "PageCursor" | "IdempotencyKey",
  strings: fc.Arbitrary<string>,
): Field => [name, requests[name], `/components/schemas/${name}`, strings];
const date = fc.date({ noInvalidDate: true });

const fields: Field[] = [
  field("CreateLotBody", "title", text(130)),
  field(
    "CreateLotBody",
    "description",
    text(10).map((s) => s.repeat(520)),
  ),
  field(
    "CreateLotBody",
    "ends_at",
    fc.oneof(
      date.map((d) => d.toISOString()),
      date.map((d) => d.toISOString().replace("Z", "+05:30").replace(/\.\d+/, "")),
      fc.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d{1,3})?(Z|z|[+-]\d\d:\d\d)?$/),
    ),
  ),
  field(
    "CancelLotBody",
    "reason",
    text(10).map((s) => s.repeat(60)),
  ),
  field("SignUpBody", "display_name", text(70)),
  field("SignUpBody", "password", text(210)),
  field(
    "SignUpBody",
    "email",
    fc.oneof(
      fc.emailAddress(),
      text(40),
      fc.emailAddress().map((e) => "x".repeat(250) + e),
    ),
  ),
  field("SignInBody", "email", text(260)),
  named("Id", text(70)),
  named("PageCursor", fc.oneof(text(20), fc.base64String())),
  named("IdempotencyKey", fc.oneof(text(70), fc.uuid())),
];

describe("the document and the edge's request schemas", () => {
  it.each(fields)("agree on every %s", (_name, schema, pointer, strings) => {
    const valid = documented(pointer);
    fc.assert(
      fc.property(strings, (s) => {
        expect({ s, edge: schema.safeParse(s).success }).toEqual({ s, edge: valid(s) });
      }),
      { numRuns: 500 },
    );
  });

  it("take a query's integers only as written in JSON, in their range", () => {
    const limit = requests.LotListQuery.shape.limit;
    for (let n = -5; n <= 105; n++)
      expect(limit.safeParse(String(n)).success).toBe(n >= 1 && n <= 100);
    for (const odd of ["1e1", "010", " 5", "5 ", "0x10", "5.0", "+5", ""])
      expect(limit.safeParse(odd).success, odd).toBe(false);
    expect(limit.parse(undefined)).toBe(20);
  });

  it("count characters as the services do: in code points, around trimmed white space", () => {
    const title = requests.CreateLotBody.shape.title;
    expect(title.safeParse("😀😀😀").success).toBe(true);
    expect(title.safeParse("  ab  ").success).toBe(false);
    expect(title.safeParse("\tabc\n").success).toBe(true);
    expect(title.safeParse("a\u0085c").success).toBe(false);
    expect(title.safeParse("x".repeat(120)).success).toBe(true);
    expect(title.safeParse("x".repeat(121)).success).toBe(false);
    const name = requests.SignUpBody.shape.display_name;
    expect(name.safeParse("A").success).toBe(true);
    expect(name.safeParse(" ").success).toBe(false);
    expect(name.safeParse("😀".repeat(60)).success).toBe(true);
    expect(requests.SignUpBody.shape.password.safeParse("😀".repeat(200)).success).toBe(true);
  });
});
