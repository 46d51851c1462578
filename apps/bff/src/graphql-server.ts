import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { unwrapResolverError } from "@apollo/server/errors";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ConnectError } from "@connectrpc/connect";
import type { GraphQLFormattedError } from "graphql";
import type { Logger } from "@gavel/logging";
import { graphQLErrorFrom, INTERNAL_CODE } from "./connect-errors.ts";
import type { GraphQLContext } from "./context.ts";
import { resolvers } from "./resolvers/index.ts";

/** The SDL lives beside package.json, one level above both src/ and dist/. */
export const typeDefs = readFileSync(new URL("../schema.graphql", import.meta.url), "utf8");

export interface GraphQLServerOptions {
  httpServer: Server;
  logger: Logger;
  /** Introspection is off in production. */
  production: boolean;
  /** Adds extensions.upstreamCalls to every response (development only). */
  reportUpstreamCalls: boolean;
  shutdownGraceMs: number;
}

export function createGraphQLServer(options: GraphQLServerOptions): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    typeDefs,
    resolvers,
    csrfPrevention: true,
    introspection: !options.production,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false, // main.ts stops it, in order, on SIGTERM

    formatError: formatErrorWith(options.logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({
        httpServer: options.httpServer,
        stopGracePeriodMillis: options.shutdownGraceMs,
      }),
      ...(options.reportUpstreamCalls ? [upstreamCallsExtension] : []),
    ],
  });
}

/**
 * Errors leave with an extensions.code a client can switch on: services' errors through
 * the one table in connect-errors.ts; anything unexpected is logged and masked.
 */
function formatErrorWith(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const fromService = original instanceof ConnectError ? graphQLErrorFrom(original) : undefined;
    const mapped = fromService
      ? { message: fromService.message, code: fromService.extensions.code }
      : { message: formatted.message, code: formatted.extensions?.code ?? INTERNAL_CODE };
    if (mapped.code !== INTERNAL_CODE) return { ...formatted, ...withCode(mapped) };
    logger.error({ err: original, path: formatted.path }, "resolver failed unexpectedly");
    return {
      ...formatted,
      ...withCode({ message: "an internal error occurred", code: INTERNAL_CODE }),
    };
  };
}

function withCode(e: { message: string; code: unknown }) {
  return { message: e.message, extensions: { code: e.code } };
}

/** What the tests read to prove the loaders batch: the RPCs a request cost, by procedure. */
const upstreamCallsExtension: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== "single") return;
        const result = response.body.singleResult;
        result.extensions = { ...result.extensions, upstreamCalls: contextValue.scope.calls };
      },
    };
  },
};
