import type http from "node:http";
import type http2 from "node:http2";
import { Code, ConnectError, createConnectRouter, type ConnectRouter } from "@connectrpc/connect";
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
  type ConnectNodeAdapterOptions,
} from "@connectrpc/connect-node";
import type { Compression, UniversalServerResponse } from "@connectrpc/connect/protocol";
import type { Logger } from "@gavel/logging";

/**
 * connect-es answers two kinds of malformed request with INTERNAL (HTTP 500 over Connect):
 * a message that is not valid protobuf ("parse binary: ..."), and a compressed body that
 * is truncated gzip. Both are the client's fault, so Gavel's services answer them with
 * INVALID_ARGUMENT, over Connect, gRPC and gRPC-Web alike. Found by the hostile-input
 * suite (apps/catalog/test/hostile-rpc.test.ts).
 */

/** gzip and brotli whose decompression failures are the client's fault. */
export const requestCompression: Compression[] = [compressionGzip, compressionBrotli].map((c) => ({
  ...c,
  decompress: (bytes, readMaxBytes) =>
    c.decompress(bytes, readMaxBytes).catch((e: unknown) => {
      throw asClientFault(ConnectError.from(e));
    }),
}));

function asClientFault(err: ConnectError): ConnectError {
  if (err.code !== Code.Internal) return err;
  return new ConnectError(err.rawMessage, Code.InvalidArgument, err.metadata, undefined, err);
}

type NodeHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/**
 * connectNodeAdapter, with each handler's answer to a message that does not parse turned
 * from INTERNAL into INVALID_ARGUMENT. The parse happens before interceptors run, so the
 * answer is rewritten on its way out: the Connect JSON error, the gRPC trailer, or the
 * gRPC-Web trailer frame.
 */
export function nodeHandlerRefusingMalformed(
  options: ConnectNodeAdapterOptions,
  logger: Logger,
): NodeHandler {
  const router: ConnectRouter = createConnectRouter(options);
  options.routes(router);
  const handlers = new Map(router.handlers.map((h) => [h.requestPath, h]));
  return (req, res) => {
    const handler = handlers.get(req.url?.split("?", 2)[0] ?? "");
    if (!handler) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const uReq = universalRequestFromNodeRequest(req, res, undefined, undefined);
    handler(uReq)
      .then(async (uRes) => universalResponseToNodeResponse(await refuseUnparsable(uRes), res))
      .catch((err: unknown) => {
        if (ConnectError.from(err).code !== Code.Aborted)
          logger.error({ err, procedure: handler.requestPath }, "writing the answer failed");
      });
  };
}

const PARSE_FAILURE = /^parse(%20| )binary/;

/** A request message that did not parse: answered INVALID_ARGUMENT once it leaves. */
export function isUnparsable(err: unknown): boolean {
  return (
    err instanceof ConnectError && err.code === Code.Internal && PARSE_FAILURE.test(err.rawMessage)
  );
}

async function refuseUnparsable(res: UniversalServerResponse): Promise<UniversalServerResponse> {
  const body = res.body;
  if (!body) return res;
  if (res.status === 500 && res.header?.get("content-type") === "application/json") {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    const error = connectError(bytes);
    if (error?.code !== "internal" || !PARSE_FAILURE.test(error.message ?? ""))
      return { ...res, body: once(bytes) };
    const refused = Buffer.from(JSON.stringify({ ...error, code: "invalid_argument" }));
    const header = new Headers(res.header);
    header.set("content-length", String(refused.length));
    return { ...res, status: 400, header, body: once(refused) };
  }
  const contentType = res.header?.get("content-type") ?? "";
  const endFrame = contentType.startsWith("application/grpc-web")
    ? rewriteWebTrailer
    : contentType.startsWith("application/connect+")
      ? rewriteEndStream
      : undefined;
  if (!endFrame && !contentType.startsWith("application/grpc")) return res;
  return {
    ...res,
    body: (async function* () {
      for await (const chunk of body) yield endFrame ? endFrame(chunk) : chunk;
      fixGrpcStatus(res.trailer);
      fixGrpcStatus(res.header);
    })(),
  };
}

interface WireError {
  code?: string;
  message?: string;
}

/** A Connect error body, or undefined when the bytes are not JSON. */
function connectError(bytes: Buffer): WireError | undefined {
  return parsedJson(bytes) as WireError | undefined;
}

/** A Connect end-of-stream message, or undefined when the bytes are not JSON. */
function connectEnd(bytes: Buffer): { error?: WireError } | undefined {
  return parsedJson(bytes) as { error?: WireError } | undefined;
}

function parsedJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString());
  } catch {
    return undefined;
  }
}

async function* once(bytes: Uint8Array) {
  yield bytes;
}

function fixGrpcStatus(headers: Headers | undefined) {
  if (headers?.get("grpc-status") === "13" && PARSE_FAILURE.test(headers.get("grpc-message") ?? ""))
    headers.set("grpc-status", String(Code.InvalidArgument));
}

/** A gRPC-Web trailer frame (flag 0x80) carrying status 13 for a parse failure. */
function rewriteWebTrailer(chunk: Uint8Array): Uint8Array {
  if (chunk[0] !== 0x80) return chunk;
  const text = new TextDecoder().decode(chunk.subarray(5));
  if (!/grpc-status: 13\r\n/.test(text) || !/grpc-message: parse%20binary/.test(text)) return chunk;
  return frame(0x80, text.replace("grpc-status: 13", "grpc-status: 3"));
}

/** A Connect end-of-stream frame (flag 0x02) carrying `internal` for a parse failure. */
function rewriteEndStream(chunk: Uint8Array): Uint8Array {
  if (chunk[0] !== 0x02) return chunk;
  const end = connectEnd(Buffer.from(chunk.subarray(5)));
  if (end?.error?.code !== "internal" || !PARSE_FAILURE.test(end.error.message ?? "")) return chunk;
  return frame(0x02, JSON.stringify({ ...end, error: { ...end.error, code: "invalid_argument" } }));
}

function frame(flags: number, text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const bytes = new Uint8Array(5 + payload.length);
  bytes[0] = flags;
  new DataView(bytes.buffer).setUint32(1, payload.length);
  bytes.set(payload, 5);
  return bytes;
}
