import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import type { KeyValueCache } from "@apollo/utils.keyvaluecache";
import { unwrapResolverError } from "@apollo/server/errors";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ConnectError } from "@connectrpc/connect";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { Logger } from "@gavel/logging";
import { cacheControlPlugins } from "./cache-control.ts";
import { graphQLErrorFrom, INTERNAL_CODE } from "./connect-errors.ts";
import type { GraphQLContext } from "./context.ts";
import { graphqlTracingPlugin } from "./graphql-tracing.ts";
import { queryLimitsPlugin, type QueryLimits } from "./query-limits.ts";
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
  /** Refused before validation: the parser stops counting at this many tokens. */
  maxTokens: number;
  /** Refused before execution, with the measures in the error. */
  limits: QueryLimits;
  /** Where automatic persisted queries live (shared by replicas). */
  persistedQueries: KeyValueCache<string>;
}

export function createGraphQLServer(options: GraphQLServerOptions): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    typeDefs,
    resolvers,
    csrfPrevention: true,
    introspection: !options.production,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false, // main.ts stops it, in order, on SIGTERM
    parseOptions: { maxTokens: options.maxTokens },
    persistedQueries: { cache: options.persistedQueries },
    allowBatchedHttpRequests: false, // one operation per request; loaders batch the RPCs

    formatError: formatErrorWith(options.logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({
        httpServer: options.httpServer,
        stopGracePeriodMillis: options.shutdownGraceMs,
      }),
      graphqlTracingPlugin,
      queryLimitsPlugin(options.limits),
      ...cacheControlPlugins(),
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
      : { message: formatted.message, code: ownCode(error) ?? codeByStatus(error) };
    if (mapped.code !== INTERNAL_CODE) {
      // Keep what the error says beyond its code (a refused query's measures and limits).
      return {
        ...formatted,
        message: mapped.message,
        extensions: { ...formatted.extensions, code: mapped.code },
      };
    }
    logger.error({ err: original, path: formatted.path }, "resolver failed unexpectedly");
    return {
      ...formatted,
      message: "an internal error occurred",
      extensions: { code: INTERNAL_CODE },
    };
  };
}

/** The code an error was raised with (Apollo adds INTERNAL_SERVER_ERROR to the others). */
function ownCode(error: unknown): unknown {
  return error instanceof GraphQLError ? error.extensions.code : undefined;
}

/**
 * Apollo's own refusals of a request (a persisted query whose hash does not match its
 * text, ...) carry an HTTP status but no code: a 4xx one is the client's to fix.
 */
function codeByStatus(error: unknown): string {
  const status = error instanceof GraphQLError ? error.extensions.http : undefined;
  const code = (status as { status?: number } | undefined)?.status;
  return code !== undefined && code >= 400 && code < 500 ? "BAD_REQUEST" : INTERNAL_CODE;
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
