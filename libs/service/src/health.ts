import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Answers the probes: /healthz (the process is alive) and /readyz (it should get traffic:
 * 503 while not ready), to GET and HEAD. Returns false for anything else, so HTTP apps can serve the
 * probes on their own port and pass everything else on.
 */
export function answerHealth(
  req: IncomingMessage,
  res: ServerResponse,
  isReady: () => boolean,
): boolean {
  const path = req.url?.split("?")[0];
  if (path !== "/healthz" && path !== "/readyz") return false;
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const [status, body] =
    path === "/healthz" ? [200, "ok"] : isReady() ? [200, "ready"] : [503, "not ready"];
  res.writeHead(status, { "content-type": "text/plain", "cache-control": "no-store" }).end(body);
  return true;
}
