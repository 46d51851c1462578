import type { CallOptions } from "@connectrpc/connect";
import type { Request, Response } from "express";
import { onBehalfOf as callOptions } from "@gavel/service";

export type { Upstream } from "@gavel/service";

/**
 * Options for a call made on behalf of a request: the caller's token goes along (each
 * service verifies it itself), and the call is cancelled if the client goes away.
 */
export function onBehalfOf(req: Request, res: Response): CallOptions {
  return callOptions({ authorization: req.get("authorization"), signal: clientGone(res) });
}

/** Aborts when the connection closes before the response was sent. */
function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
