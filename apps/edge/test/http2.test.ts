import https from "node:https";
import http2 from "node:http2";
import { freePort } from "@gavel/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as shapes from "../src/api/response-schemas.ts";
import { lotBody, postJson, signedInUser, startEdgeStack, type EdgeStack } from "./edge-stack.ts";
import { selfSignedCertificate } from "./self-signed-certificate.ts";

let stack: EdgeStack;
let tlsBase: string;
const certificate = selfSignedCertificate();

beforeAll(async () => {
  const httpsPort = await freePort();
  stack = await startEdgeStack(inject("natsUrl"), {
    GAVEL_TLS_CERT_FILE: certificate.certFile,
    GAVEL_TLS_KEY_FILE: certificate.keyFile,
    GAVEL_HTTPS_PORT: String(httpsPort),
  });
  tlsBase = `https://localhost:${httpsPort}`;
});

afterAll(async () => {
  expect(await stack.stop()).toEqual([0, 0, 0, 0]);
  certificate.remove();
});

interface H2Answer {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
}

function h2(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body?: string,
): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers);
    const chunks: Buffer[] = [];
    let answer: http2.IncomingHttpHeaders = {};
    stream.on("response", (h) => (answer = h));
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () =>
      resolve({ status: Number(answer[":status"]), headers: answer, body: Buffer.concat(chunks) }),
    );
    stream.on("error", reject);
    stream.end(body);
  });
}

describe("the edge over TLS", () => {
  it("serves HTTP/2 streams, reads and writes, with caching headers and compression intact", async () => {
    const seller = await signedInUser(stack.base);
    const bidder = await signedInUser(stack.base);
    const lot = shapes.Lot.parse(
      await (await postJson(`${stack.base}/v1/lots`, lotBody(), seller.auth)).json(),
    );

    const session = http2.connect(tlsBase, { rejectUnauthorized: false });
    try {
      expect(
        await new Promise((resolve) =>
          session.once("connect", () => resolve(session.alpnProtocol)),
        ),
      ).toBe("h2");
      const read = await h2(session, { ":path": `/v1/lots/${lot.id}` });
      expect(read.status).toBe(200);
      expect(shapes.Lot.parse(JSON.parse(read.body.toString())).id).toBe(lot.id);
      expect(read.headers.etag).toMatch(/^"lot-/);

      const revalidated = await h2(session, {
        ":path": `/v1/lots/${lot.id}`,
        "if-none-match": String(read.headers.etag),
      });
      expect(revalidated.status).toBe(304);

      const docs = await h2(session, { ":path": "/v1/openapi.json", "accept-encoding": "br" });
      expect(docs.headers["content-encoding"]).toBe("br");

      const bid = await h2(
        session,
        {
          ":method": "POST",
          ":path": `/v1/lots/${lot.id}/bids`,
          "content-type": "application/json",
          ...bidder.auth,
        },
        JSON.stringify({ amount: { currency: "EUR", amount_minor: 1000 } }),
      );
      expect(bid.status).toBe(201);
      expect(shapes.Bid.parse(JSON.parse(bid.body.toString())).bidder_id).toBe(bidder.id);

      const problem = await h2(session, { ":path": "/v1/lots/a.b" });
      expect([problem.status, problem.headers["content-type"]]).toEqual([
        400,
        "application/problem+json; charset=utf-8",
      ]);
    } finally {
      session.close();
    }
  });

  it("still serves HTTP/1.1 to clients that do not offer h2", async () => {
    // Node's https client offers no ALPN at all: the TLS listener must fall back to HTTP/1.1.
    const answer = await new Promise<{ status: number; version: string; body: string }>(
      (resolve, reject) => {
        const req = https.get(`${tlsBase}/v1`, { rejectUnauthorized: false }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, version: res.httpVersion, body }),
          );
        });
        req.on("error", reject);
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.version).toBe("1.1");
    expect(shapes.ApiRoot.parse(JSON.parse(answer.body)).version).toBe("v1");
  });
});
