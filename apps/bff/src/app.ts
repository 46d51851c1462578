import type { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import express, { type ErrorRequestHandler, type Express } from "express";
import type { TokenVerifier } from "@gavel/auth";
import { answerHealth } from "@gavel/service";
import { contextFactory, type GraphQLContext } from "./context.ts";
import type { Upstream } from "./upstream.ts";

export interface BffOptions {
  graphql: ApolloServer<GraphQLContext>;
  upstream: Upstream;
  verifier: TokenVerifier;
  bodyLimitBytes: number;
  /** /readyz answers 503 while this returns false. */
  isReady: () => boolean;
}

/** Health on the same port, GraphQL at /graphql; the Apollo server must have started. */
export function createBffApp(options: BffOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  app.use((req, res, next) => void (answerHealth(req, res, options.isReady) || next()));

  app.use(
    "/graphql",
    express.json({ limit: options.bodyLimitBytes }),
    expressMiddleware(options.graphql, {
      context: contextFactory(options.upstream, options.verifier),
    }),
  );
  app.use((req, res) => {
    graphQLErrorBody(
      res.status(404),
      `nothing at ${req.path}; GraphQL is at /graphql`,
      "NOT_FOUND",
    );
  });
  app.use(bodyErrors);
  return app;
}

/**
 * Bodies that never reach Apollo (malformed JSON, too large) are still answered as
 * GraphQL errors with a code, not Express's HTML page.
 */
const bodyErrors: ErrorRequestHandler = (
  err: { status?: number; message?: string },
  _req,
  res,
  next,
) => {
  if (res.headersSent || typeof err.status !== "number" || err.status >= 500) return next(err);
  const code = err.status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST";
  graphQLErrorBody(res.status(err.status), err.message ?? "bad request", code);
};

function graphQLErrorBody(res: express.Response, message: string, code: string): void {
  res.set("cache-control", "no-store").json({ errors: [{ message, extensions: { code } }] });
}
