import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/** How many times a refused unary call is sent again before it fails as unavailable. */
const REFUSED_RETRIES = 2;

/**
 * A service going away, as an internal client sees it, becomes what it is: `unavailable`,
 * which callers retry and the fronts answer with 503 and Retry-After.
 *
 * - A replica shutting down sends GOAWAY and refuses the streams that crossed it
 *   (REFUSED_STREAM: not processed, RFC 9113 §8.7, so safe to send again whatever the
 *   call). connect-node reports it as `internal`. A unary call is sent again, on a new
 *   connection, which the Service gives to another replica: a rolling update costs the
 *   callers nothing (apps/identity/test/rolling-restart.test.ts). A stream, or a call
 *   refused every time, fails as `unavailable`.
 * - A call whose HTTP/2 stream the connection dropped (the process died, the pod went
 *   away: RST_STREAM CANCEL) is reported as `canceled`, the code for a caller that gave
 *   up. When this caller did not give up (its signal is not aborted), it is the service
 *   that went away. The fault suite (faults/) caught the 499s this passed on while it
 *   killed a bidding replica under load.
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
