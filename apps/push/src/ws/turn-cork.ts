import type { Duplex } from "node:stream";

/** Sockets corked during this turn of the event loop, uncorked together when it ends. */
let corked: Duplex[] = [];

/**
 * Holds a socket's writes until the current turn of the event loop ends (a
 * process.nextTick, which runs once the turn's microtasks have too), so whatever is
 * written to it meanwhile (the events of several channels, replies) leaves in one system
 * call. Nothing else holds a cork on an upgraded socket across turns: `ws` corks and
 * uncorks within each frame it writes.
 */
export function corkForTurn(socket: Duplex): void {
  if (corkedForTurn(socket)) return;
  socket.cork();
  corked.push(socket);
  if (corked.length === 1) process.nextTick(uncorkAll);
}

/** Whether what is written to the socket now leaves with the rest of the turn's writes. */
export function corkedForTurn(socket: Duplex): boolean {
  return socket.writableCorked > 0;
}

function uncorkAll(): void {
  const sockets = corked;
  corked = [];
  for (const socket of sockets) socket.uncork();
}
