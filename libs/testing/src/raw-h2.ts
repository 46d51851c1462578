import http2 from "node:http2";

export interface RawResponse {
  status: number;
  headers: http2.IncomingHttpHeaders;
  /** gRPC's status travels here (or in headers, for a trailers-only answer). */
  trailers: http2.IncomingHttpHeaders;
  body: string;
}

/**
 * Sends one request over cleartext HTTP/2 with exactly the bytes given, for tests
 * that must send what a well-behaved client never would (malformed JSON, wrong
 * content types, truncated frames).
 */
export function rawH2Request(
  baseUrl: string,
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(baseUrl);
    session.once("error", reject);
    const stream = session.request({ ":method": "POST", ":path": path, ...headers });
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => (responseHeaders = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("error", (err) => {
      session.destroy();
      reject(err);
    });
    stream.once("end", () => {
      session.close();
      resolve({
        status: Number(responseHeaders[":status"]),
        headers: responseHeaders,
        trailers,
        body: Buffer.concat(chunks).toString(),
      });
    });
    stream.end(body);
  });
}
