import type { IncomingMessage, ServerResponse } from "node:http";

/** How long a closing connection keeps reading what the client still sends, at most. */
export const LINGER_MS = 5_000;

/**
 * Closes the connection after this response without losing it (RFC 9112 §9.6, nginx's
 * `lingering_close`): an answer sent before the body's end goes out with a FIN, and what
 * the client still sends is read and dropped for up to `lingerMs`; why, in
 * docs/architecture.md#the-rest-edge-appsedge (bulk import). Before the headers went out
 * it also says `Connection: close`.
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
