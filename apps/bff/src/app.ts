import type { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import compression from "compression";
import cors from "cors";
import express, { type ErrorRequestHandler, type Express } from "express";
import type { TokenVerifier } from "@gavel/auth";
import { answerHealth } from "@gavel/service";
import { setHttpRoute } from "@gavel/telemetry";
import { contextFactory, type GraphQLContext } from "./context.ts";
import type { Upstream } from "./upstream.ts";

export interface BffOptions {
  graphql: ApolloServer<GraphQLContext>;
  upstream: Upstream;
  verifier: TokenVerifier;
  bodyLimitBytes: number;
  /** Loaders batch ids per service call (see config GAVEL_GRAPHQL_BATCHING). */
  batching: boolean;
  /** Browser origins allowed by CORS (the web page's). */
  corsOrigins: string[];
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
    (_req, _res, next) => {
      setHttpRoute("/graphql"); // a mount, not a route: name the request's span by hand
      next();
    },
    cors({
      origin: (origin, callback) =>
        callback(null, origin === undefined || options.corsOrigins.includes(origin)),
      // What Apollo Client sends: the last two satisfy CSRF prevention on GET. The page
      // also sends its trace context, so its spans and the BFF's make one trace.
      allowedHeaders: [
        "Authorization",
        "Content-Type",
        "Apollo-Require-Preflight",
        "X-Apollo-Operation-Name",
        "traceparent",
        "tracestate",
      ],
      methods: ["GET", "POST"],
      maxAge: 600,
    }),
    compression({ threshold: 1024 }),
    express.json({ limit: options.bodyLimitBytes }),
    expressMiddleware(options.graphql, {
      context: contextFactory(options.upstream, options.verifier, options.batching),
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
