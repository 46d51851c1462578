/**
 * The load generators' WebSocket clients, text frames only: "raw" reads frames straight off
 * the TCP socket and writes masked ones by hand (about as little JavaScript per frame as a
 * client can run); "ws" is the `ws` package's client, which costs a load generator
 * noticeably more CPU per frame. Both answer pings, so servers with heartbeats keep them.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { Socket } from "node:net";
import WebSocket from "ws";

export type ClientImplementation = "raw" | "ws";

export interface TextSocketHandlers {
  onOpen(): void;
  /** A text frame's payload; only valid during the call. */
  onText(payload: Buffer): void;
  onClose(reason: string): void;
}

export interface TextSocket {
  send(text: string): void;
  close(): void;
}

/**
 * `localAddress` binds the client's end to that address (e.g. 127.0.0.2), so that many
 * clients do not share one address's ephemeral ports; by default the kernel picks.
 */
export function openTextSocket(
  implementation: ClientImplementation,
  url: string,
  protocols: string[],
  handlers: TextSocketHandlers,
  localAddress?: string,
): TextSocket {
  return implementation === "raw"
    ? openRaw(url, protocols, handlers, localAddress)
    : openWs(url, protocols, handlers, localAddress);
}

function openWs(
  url: string,
  protocols: string[],
  handlers: TextSocketHandlers,
  localAddress: string | undefined,
): TextSocket {
  const ws = new WebSocket(url, protocols, {
    perMessageDeflate: false,
    skipUTF8Validation: true,
    localAddress,
  });
  ws.on("open", handlers.onOpen);
  ws.on("message", (data: Buffer) => handlers.onText(data));
  ws.on("error", (err) => handlers.onClose(err.message));
  ws.on("close", (code) => handlers.onClose(`closed with ${code}`));
  return { send: (text) => ws.send(text), close: () => ws.terminate() };
}

const OPCODE = { continuation: 0x0, text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;

function openRaw(
  url: string,
  protocols: string[],
  handlers: TextSocketHandlers,
  localAddress: string | undefined,
): TextSocket {
  let socket: Socket | undefined;
  const req = http.request(url.replace(/^ws/, "http"), {
    agent: false,
    localAddress,
    headers: {
      connection: "Upgrade",
      upgrade: "websocket",
      "sec-websocket-version": "13",
      "sec-websocket-key": randomBytes(16).toString("base64"),
      ...(protocols.length ? { "sec-websocket-protocol": protocols.join(", ") } : {}),
    },
  });
  req.on("response", (res) => {
    res.resume();
    handlers.onClose(`HTTP ${res.statusCode} instead of an upgrade`);
  });
  req.on("error", (err) => handlers.onClose(err.message));
  req.on("upgrade", (_res, upgraded: Socket, head: Buffer) => {
    socket = upgraded;
    socket.setNoDelay(true);
    const reader = frameReader((opcode, payload) => {
      if (opcode === OPCODE.text || opcode === OPCODE.continuation) handlers.onText(payload);
      else if (opcode === OPCODE.ping) upgraded.write(clientFrame(OPCODE.pong, payload));
      else if (opcode === OPCODE.close) {
        handlers.onClose(`closed with ${payload.length >= 2 ? payload.readUInt16BE(0) : 1005}`);
        upgraded.destroy();
      }
    });
    socket.on("data", reader);
    socket.on("error", (err) => handlers.onClose(err.message));
    socket.on("close", () => handlers.onClose("connection closed"));
    handlers.onOpen();
    if (head.length) reader(head);
  });
  req.end();
  return {
    send: (text) => socket?.write(clientFrame(OPCODE.text, Buffer.from(text))),
    close: () => (socket ? socket.destroy() : req.destroy()),
  };
}

/**
 * Splits what a socket reads into server frames (RFC 6455 5.2, unmasked). A frame cut by
 * the end of a read waits for the rest; only that remainder is ever copied.
 */
function frameReader(onFrame: (opcode: number, payload: Buffer) => void) {
  let pending: Buffer | undefined;
  return (chunk: Buffer) => {
    const data = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = undefined;
    let at = 0;
    while (data.length - at >= 2) {
      let length = data[at + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        header = 10;
      }
      if (data.length - at < header + length) break;
      onFrame(data[at]! & 0x0f, data.subarray(at + header, at + header + length));
      at += header + length;
    }
    if (at < data.length) pending = data.subarray(at);
  };
}

/** A masked client frame (clients must mask, RFC 6455 5.3); payloads here are small. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  if (payload.length > 125) throw new Error("client frames over 125 bytes are not needed here");
  const mask = randomBytes(4);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}
