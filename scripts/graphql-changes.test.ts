import { describe, expect, it } from "vitest";
import { InvalidSdlError, compareSchemas } from "./graphql-changes.ts";

const base = `
  type Query {
    lot(id: ID!): Lot
    lots(first: Int, status: LotStatus): [Lot!]!
  }
  type Lot {
    id: ID!
    title: String!
    status: LotStatus!
  }
  enum LotStatus {
    OPEN
    CLOSED
  }
`;

/** The changes from `base` to `base` with `edit` applied. */
function changesAfter(edit: (sdl: string) => string) {
  const after = edit(base);
  expect(after).not.toBe(base); // the edit must have found its text
  return compareSchemas({ name: "before", body: base }, { name: "after", body: after });
}

const types = (changes: readonly { type: string }[]) => changes.map((c) => c.type);

describe("compareSchemas", () => {
  it("reports nothing for the same schema", () => {
    const changes = compareSchemas({ name: "a", body: base }, { name: "b", body: base });
    expect(changes).toEqual({ breaking: [], dangerous: [] });
  });

  it("calls removing a field breaking", () => {
    const { breaking } = changesAfter((sdl) => sdl.replace("title: String!", ""));
    expect(breaking).toEqual([{ type: "FIELD_REMOVED", description: "Lot.title was removed." }]);
  });

  it("calls making a nullable argument non-null breaking", () => {
    const { breaking } = changesAfter((sdl) => sdl.replace("first: Int,", "first: Int!,"));
    expect(breaking).toEqual([
      {
        type: "ARG_CHANGED_KIND",
        description: "Query.lots arg first has changed type from Int to Int!.",
      },
    ]);
  });

  it("lets adding a field through", () => {
    const changes = changesAfter((sdl) =>
      sdl.replace("title: String!", "title: String!\n  seller: ID"),
    );
    expect(changes).toEqual({ breaking: [], dangerous: [] });
  });

  it("calls adding an enum value dangerous, not breaking", () => {
    const { breaking, dangerous } = changesAfter((sdl) =>
      sdl.replace("CLOSED", "CLOSED\n  CANCELLED"),
    );
    expect(breaking).toEqual([]);
    expect(types(dangerous)).toEqual(["VALUE_ADDED_TO_ENUM"]);
  });

  it("lets deprecating a field through", () => {
    const changes = changesAfter((sdl) =>
      sdl.replace("title: String!", 'title: String! @deprecated(reason: "Use name.")'),
    );
    expect(changes).toEqual({ breaking: [], dangerous: [] });
  });

  it("accepts directives declared in the new SDL that the baseline never had", () => {
    const changes = changesAfter(
      (sdl) =>
        `directive @cacheControl(maxAge: Int) on FIELD_DEFINITION | OBJECT\n` +
        sdl.replace("lot(id: ID!): Lot", "lot(id: ID!): Lot @cacheControl(maxAge: 30)"),
    );
    expect(changes).toEqual({ breaking: [], dangerous: [] });
  });

  it("compares a baseline that uses a directive it does not declare", () => {
    const before = base.replace("type Lot {", "type Lot @cacheControl(maxAge: 30) {");
    const changes = compareSchemas({ name: "before", body: before }, { name: "after", body: base });
    expect(changes).toEqual({ breaking: [], dangerous: [] });
  });

  it("throws naming the file, line and column when an SDL does not parse", () => {
    const broken = {
      name: "main:apps/bff/schema.graphql",
      body: "type Query {\n  lot(id: ID!: Lot\n}",
    };
    expect(() => compareSchemas(broken, { name: "after", body: base })).toThrow(InvalidSdlError);
    expect(() => compareSchemas(broken, { name: "after", body: base })).toThrow(
      /^main:apps\/bff\/schema\.graphql is not a valid GraphQL schema:\nSyntax Error: .*\n\nmain:apps\/bff\/schema\.graphql:2:/,
    );
    expect(() =>
      compareSchemas({ name: "before", body: base }, { ...broken, name: "after" }),
    ).toThrow(/^after is not a valid GraphQL schema:\nSyntax Error/);
  });

  it("throws when the new SDL uses a directive it does not declare", () => {
    const after = base.replace("type Lot {", "type Lot @cacheControl(maxAge: 30) {");
    expect(() =>
      compareSchemas({ name: "before", body: base }, { name: "after", body: after }),
    ).toThrow('after is not a valid GraphQL schema:\nUnknown directive "@cacheControl".');
  });

  it("throws when the new SDL is not a valid schema", () => {
    const after = `${base}\ninterface Node { id: ID! }\ntype User implements Node { name: String }`;
    expect(() =>
      compareSchemas({ name: "before", body: base }, { name: "after", body: after }),
    ).toThrow(
      /^after is not a valid GraphQL schema:\nInterface field Node\.id expected but User does not provide it\./,
    );
  });
});
