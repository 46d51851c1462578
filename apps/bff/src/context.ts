import type { Request, Response } from "express";
import type { Caller, TokenVerifier } from "@gavel/auth";
import { callerFrom } from "./authentication.ts";
import { startOperationTrace, type OperationTrace } from "./graphql-tracing.ts";
import { createLoaders, type Loaders } from "./loaders.ts";
import type { RequestScope, Upstream } from "./upstream.ts";

/** What every resolver of one request gets. */
export interface GraphQLContext {
  caller: Caller | undefined;
  upstream: Upstream;
  scope: RequestScope;
  loaders: Loaders;
  /** The operation's span, under the HTTP request's; service calls go under it. */
  operationTrace: OperationTrace;
}

export function contextFactory(upstream: Upstream, verifier: TokenVerifier, batching: boolean) {
  return async ({ req, res }: { req: Request; res: Response }): Promise<GraphQLContext> => {
    const authorization = req.get("authorization");
    const caller = await callerFrom(authorization, verifier);
    const operationTrace = startOperationTrace();
    const scope: RequestScope = {
      authorization,
      signal: clientGone(res),
      calls: {},
      trace: operationTrace,
    };
    return {
      caller,
      upstream,
      scope,
      loaders: createLoaders(upstream, scope, batching),
      operationTrace,
    };
  };
}

/** Aborts when the connection closes before the response was sent. */
function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
