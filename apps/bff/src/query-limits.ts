import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";
import { measureOperation, type QueryMeasures } from "./query-cost.ts";

/** The most an operation may measure; tokens are limited earlier, by the parser. */
export type QueryLimits = QueryMeasures;

/** One code per limit, so a client (or its developer) knows which one it hit. */
const CODES: Record<keyof QueryLimits, string> = {
  depth: "QUERY_TOO_DEEP",
  aliases: "TOO_MANY_ALIASES",
  directives: "TOO_MANY_DIRECTIVES",
  cost: "QUERY_TOO_COSTLY",
};

const MESSAGES: Record<keyof QueryLimits, (measured: number, limit: number) => string> = {
  depth: (n, max) => `the query nests fields ${n} deep; at most ${max} allowed`,
  aliases: (n, max) => `the query uses ${n} aliases; at most ${max} allowed`,
  directives: (n, max) => `the query uses ${n} directives; at most ${max} allowed`,
  cost: (n, max) =>
    `the query costs ${n} (the fields it may return, list sizes included); at most ${max} ` +
    "allowed: ask for fewer items per page or split the query",
};

/**
 * Refuses an operation over any limit before it runs (no resolver is called, no service
 * is asked), with HTTP 400, the limit's code, and every measure next to its limit in
 * `extensions`, so the client sees its computed cost. Measured per request because the
 * cost depends on the variables; the walk is linear in the document, which the parser's
 * token limit already bounds.
 */
export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const measured = measureOperation(schema, document, operation, request.variables);
          const over = (Object.keys(CODES) as Array<keyof QueryLimits>).find(
            (key) => measured[key] > limits[key],
          );
          if (!over) return;
          throw new GraphQLError(MESSAGES[over](measured[over], limits[over]), {
            extensions: { code: CODES[over], measured, limits, http: { status: 400 } },
          });
        },
      };
    },
  };
}
