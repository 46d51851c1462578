import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/**
 * connect-node reports a call whose HTTP/2 stream the connection dropped (the service's
 * process died, its pod went away: RST_STREAM CANCEL) as `canceled`, the code for a
 * caller that gave up. When this caller did not give up (its signal is not aborted), it
 * is the service that went away: `unavailable`, which callers retry and the fronts answer
 * with 503 and Retry-After, instead of passing on a 499 the client never asked for. The
 * fault suite (faults/) caught the 499s while it killed a bidding replica under load.
 */
export function upstreamGone(): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (err) {
      if (err instanceof ConnectError && err.code === Code.Canceled && !req.signal.aborted) {
        throw new ConnectError(
          `the connection to the service closed during the call (${err.rawMessage}); retry`,
          Code.Unavailable,
          undefined,
          undefined,
          err,
        );
      }
      throw err;
    }
  };
}
