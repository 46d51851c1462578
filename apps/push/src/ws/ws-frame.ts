/**
 * A whole WebSocket text frame (RFC 6455 section 5.2), built once per event and written
 * as is to every socket that follows its channel: FIN and opcode 1, no mask (a server's
 * frames are never masked), no RSV bits (the server turns permessage-deflate off), then
 * the payload length in 7, 7 + 16 or 7 + 64 bits, then the UTF-8 payload.
 */
export function textFrame(text: string | Buffer): Buffer {
  const length = Buffer.byteLength(text);
  const header = headerLength(length);
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  if (typeof text === "string") frame.write(text, header);
  else text.copy(frame, header);
  return frame;
}

/** The payload of a frame textFrame built (a view: no copy). */
export function framePayload(frame: Buffer): Buffer {
  const mark = frame[1]!;
  return frame.subarray(mark < 126 ? 2 : mark === 126 ? 4 : 10);
}

function headerLength(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
}
