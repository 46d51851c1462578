import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/** How many times a refused unary call is sent again before it fails as unavailable. */
const REFUSED_RETRIES = 2;

/**
 * A service going away, as an internal client sees it, becomes `unavailable`, which callers
 * retry: a stream a shutting-down replica refused (REFUSED_STREAM; a unary call is first sent
 * again), or a call its dropped connection reports as `canceled` though this caller did not
 * cancel. See docs/architecture.md#errors and docs/reliability.md#what-the-fault-suite-found
 */
export function upstreamGone(): Interceptor {
  return (next) => async (req) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await next(req);
      } catch (err) {
        if (!(err instanceof ConnectError) || req.signal.aborted) throw err;
        if (isRefusedStream(err)) {
          if (!req.stream && attempt < REFUSED_RETRIES) continue;
          throw unavailable("the service refused the call (it is shutting down)", err);
        }
        if (err.code === Code.Canceled) {
          throw unavailable(`the connection to the service closed during the call`, err);
        }
        throw err;
      }
    }
  };
}

function unavailable(what: string, cause: ConnectError): ConnectError {
  return new ConnectError(
    `${what} (${cause.rawMessage}); retry`,
    Code.Unavailable,
    undefined,
    undefined,
    cause,
  );
}

/** RST_STREAM REFUSED_STREAM, as Node's stream error or connect-node's own words say it. */
function isRefusedStream(err: ConnectError): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/REFUSED_STREAM/.test(e.message)) return true;
  }
  return false;
}
