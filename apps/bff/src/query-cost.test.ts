import { buildSchema, getOperationAST, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { measureOperation } from "./query-cost.ts";

const schema = buildSchema(/* GraphQL */ `
  type Query {
    lots(first: Int = 20): LotConnection!
    lot(id: ID!): Lot
  }
  type LotConnection {
    edges: [LotEdge!]!
    totalCount: Int!
  }
  type LotEdge {
    node: Lot!
  }
  type Lot {
    id: ID!
    title: String!
    seller: User!
    bids(first: Int = 10): BidConnection!
  }
  type User {
    id: ID!
    name: String!
  }
  type BidConnection {
    edges: [BidEdge!]!
  }
  type BidEdge {
    node: Bid!
  }
  type Bid {
    amount: Int!
    bidder: User!
  }
`);

function measure(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  return measureOperation(schema, document, getOperationAST(document)!, variables);
}

describe("measureOperation", () => {
  it("counts each field once without lists that page", () => {
    expect(measure(`{ lot(id: "1") { id title seller { id name } } }`)).toEqual({
      depth: 3,
      aliases: 0,
      directives: 0,
      cost: 6, // lot, id, title, seller, seller.id, seller.name
    });
  });

  it("multiplies what a paged field selects by its page size", () => {
    // lots: 1 + 50 × (edges 1 + node (1 + id 1 + seller (1 + 1)))
    const m = measure(`{ lots(first: 50) { edges { node { id seller { name } } } } }`);
    expect(m.cost).toBe(1 + 50 * (1 + 1 + 1 + 2));
    expect(m.depth).toBe(5);
  });

  it("takes page sizes from variables, and the schema default when none is given", () => {
    const query = `query($n: Int) { lots(first: $n) { totalCount } }`;
    expect(measure(query, { n: 7 }).cost).toBe(1 + 7);
    expect(measure(query, {}).cost).toBe(1 + 20);
    expect(measure(query, { n: "seven" }).cost).toBe(1 + 20); // execution refuses it later
  });

  it("multiplies nested pages", () => {
    const m = measure(`{ lots(first: 10) { edges { node { bids(first: 5) { edges { node {
      amount } } } } } } }`);
    // lots 1 + 10 × (edges 1 + node 1 + bids (1 + 5 × (edges 1 + node 1 + amount 1)))
    expect(m.cost).toBe(1 + 10 * (1 + 1 + 1 + 5 * 3));
    expect(m.depth).toBe(7);
  });

  it("counts aliases, directives, and fragments once per spread", () => {
    const m = measure(`
      query Q @skip(if: false) {
        a: lot(id: "1") { ...L }
        b: lot(id: "2") { ...L @include(if: true) }
      }
      fragment L on Lot { id title @skip(if: false) }
    `);
    expect(m.aliases).toBe(2);
    expect(m.directives).toBe(1 + 1 + 2); // operation, spread, the fragment's field twice
    expect(m.cost).toBe(2 * (1 + 2));
  });

  it("does not count __typename or introspection", () => {
    const m = measure(`{ __typename __schema { types { name fields { name } } } }`);
    expect(m).toEqual({ depth: 0, aliases: 0, directives: 0, cost: 0 });
  });

  it("grows linearly with an alias bomb", () => {
    const fields = Array.from({ length: 100 }, (_, i) => `a${i}: lots(first: 100) { totalCount }`);
    const m = measure(`{ ${fields.join(" ")} }`);
    expect(m.aliases).toBe(100);
    expect(m.cost).toBe(100 * (1 + 100));
  });
});
