import { once } from "node:events";
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/openapi/openapi.ts";
import { selfSignedCertificate } from "../self-signed-certificate.ts";
import { settle } from "./contract-violations.ts";

/**
 * The setup file's hooks, end to end: a server that serves the edge's document and
 * answers one path with a status no operation lists; whichever client a test uses, the
 * answer is caught, and named, when the test settles. (A stand-in server, since the
 * real edge gives no such answer.)
 */
const document = JSON.stringify(openApiDocument());
const answer = (path: string, send: (status: number, type: string, body: string) => void) => {
  if (path === "/v1/openapi.json") send(200, "application/openapi+json", document);
  else send(418, "application/problem+json", "{}");
};

const certificate = selfSignedCertificate();
let h1: http.Server;
/** HTTP/2 over TLS, HTTP/1.1 for the document's read: as the edge's TLS listener. */
let h2: http2.Http2SecureServer;
const port = (server: http.Server | http2.Http2SecureServer) =>
  (server.address() as AddressInfo).port;

beforeAll(async () => {
  h1 = http.createServer((req, res) =>
    answer(req.url!, (status, type, body) =>
      res.writeHead(status, { "content-type": type }).end(body),
    ),
  );
  h2 = http2.createSecureServer(
    { key: certificate.key, cert: certificate.cert, allowHTTP1: true },
    (req, res) =>
      answer(req.url, (status, type, body) =>
        res.writeHead(status, { "content-type": type }).end(body),
      ),
  );
  await Promise.all([h1, h2].map((s) => once(s.listen(0, "127.0.0.1"), "listening")));
});

afterAll(() => {
  h1.close();
  h2.close();
  certificate.remove();
});

const caught = () =>
  expect(settle()).rejects.toThrow(
    /^1 response\(s\)[^]*GET \/v1\/lots\/x -> 418: 418 is not an answer of GET \/v1\/lots\/\{id\}/,
  );

describe("every response a test receives is checked", () => {
  it("through fetch", async () => {
    await (await fetch(`${`http://127.0.0.1:${port(h1)}`}/v1/lots/x`)).text();
    await caught();
  });

  it("through node:http", async () => {
    const res = await new Promise<http.IncomingMessage>((resolve) =>
      http.get(`${`http://127.0.0.1:${port(h1)}`}/v1/lots/x`, resolve),
    );
    res.resume();
    await once(res, "end");
    await caught();
  });

  it("through undici", async () => {
    await (await request(`${`http://127.0.0.1:${port(h1)}`}/v1/lots/x`)).body.dump();
    await caught();
  });

  it("through node:http2", async () => {
    const session = http2.connect(`https://localhost:${port(h2)}`, { rejectUnauthorized: false });
    const stream = session.request({ ":path": "/v1/lots/x" });
    stream.resume();
    await once(stream, "end");
    session.close();
    await caught();
  });

  it("and not the responses of a server that serves no document", async () => {
    await fetch(`${`http://127.0.0.1:${port(h1)}`}/elsewhere`);
    await expect(settle()).resolves.toBeUndefined();
  });
});
