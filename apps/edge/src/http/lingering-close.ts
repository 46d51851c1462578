import type { IncomingMessage, ServerResponse } from "node:http";

/** How long a closing connection keeps reading what the client still sends, at most. */
export const LINGER_MS = 5_000;

/**
 * Closes the connection after this response without losing the response (RFC 9112
 * §9.6, nginx's `lingering_close`). An answer sent before the request body was read to
 * its end, such as a 413 mid-body, must close the connection: the rest of the body can
 * never be read as the next request. Node closes it as soon as the answer is written,
 * with the client's unread bytes still in the kernel's buffer, so the kernel resets the
 * connection, and a client still sending loses the answer it has not read yet. Here the
 * connection is half-closed instead: the answer and a FIN go out, and what the client
 * still sends is read and dropped until it closes its side or `lingerMs` have passed.
 *
 * Call it before or after the response's headers went out: before, it also says
 * `Connection: close`; after (a stream already under way), the connection closes once
 * the response is written all the same.
 */
export function closeLingering(
  req: IncomingMessage,
  res: ServerResponse,
  lingerMs = LINGER_MS,
): void {
  const socket = req.socket as IncomingMessage["socket"] | null;
  if (!socket || socket.destroyed) return;
  let lingering = false;
  const linger = () => {
    if (lingering || socket.destroyed) return;
    lingering = true;
    socket.end();
    req.resume(); // the parser goes on reading the body into req; drop it
    const timer = setTimeout(() => socket.destroy(), lingerMs).unref();
    socket.once("end", () => socket.destroy());
    socket.once("close", () => clearTimeout(timer));
  };
  // Node ends a response marked Connection: close with destroySoon(): end, then destroy
  // once written. This connection lingers between the two.
  socket.destroySoon = linger;
  if (!res.headersSent) res.setHeader("connection", "close");
  else if (res.writableFinished) linger();
  else res.once("finish", linger);
}
