import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { closeLingering } from "./lingering-close.ts";

const LIMIT = 1024 * 1024;
const servers: http.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server that answers 413 as soon as a body passes LIMIT, without reading the rest. */
async function refusingServer(lingerMs?: number): Promise<number> {
  const server = http.createServer((req, res) => {
    let received = 0;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= LIMIT) return;
      req.off("data", count).pause();
      closeLingering(req, res, lingerMs);
      res.writeHead(413, { "content-type": "text/plain" }).end("too large");
    };
    req.on("data", count);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * A client that sends a chunked body of 6 MiB (or, unless it closes after reading the
 * answer, one that never ends) and reads what came back only after `readAfterMs`: what
 * a busy client does. Resolves with what it read and
 * the error, if any. Without the lingering close, the kernel resets the connection over
 * the unread body and such a client loses the answer (every time, on loopback).
 */
function slowReader(port: number, readAfterMs: number, closeAfterReading = true) {
  return new Promise<{ text: string; error?: string; closedBy: "client" | "server" }>((resolve) => {
    // Half-open allowed: the client's side stays open after the server's FIN, as
    // one still sending keeps it.
    const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    let text = "";
    let error: string | undefined;
    socket.pause();
    socket.write("POST / HTTP/1.1\r\nhost: test\r\ntransfer-encoding: chunked\r\n\r\n");
    const chunk = "x".repeat(64 * 1024);
    let sent = 0;
    const pump = () => {
      while ((sent < 96 || !closeAfterReading) && !socket.destroyed) {
        sent++;
        if (!socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`))
          return void socket.once("drain", pump);
      }
    };
    socket.on("error", (err: NodeJS.ErrnoException) => (error = err.code));
    socket.on("close", () => resolve({ text, error, closedBy: "server" }));
    pump();
    setTimeout(() => {
      socket.setEncoding("utf8");
      socket.on("data", (d: string) => {
        text += d;
        if (closeAfterReading && text.includes("too large")) {
          socket.removeAllListeners("close");
          socket.destroy();
          resolve({ text, error, closedBy: "client" });
        }
      });
      socket.resume();
    }, readAfterMs);
  });
}

describe("closing a connection lingering", () => {
  it("lets a client that is still sending read the answer", async () => {
    const port = await refusingServer();
    const results = await Promise.all(Array.from({ length: 5 }, () => slowReader(port, 300)));
    for (const { text, closedBy } of results) {
      expect(text).toMatch(/^HTTP\/1\.1 413 /);
      expect(text.toLowerCase()).toContain("connection: close");
      expect(closedBy).toBe("client");
    }
  });

  it("closes the connection itself when the client never does", async () => {
    const port = await refusingServer(200);
    const started = Date.now();
    const { text, closedBy } = await slowReader(port, 50, false);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(closedBy).toBe("server");
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
