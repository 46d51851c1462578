import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { rawH2Request, type RawResponse } from "./raw-h2.ts";
import type { ServiceProcess } from "./service-process.ts";
import { expectSurvived, hostileRuns, memoryBaseline, type Survival } from "./survival.ts";

/**
 * Requests no Connect, gRPC or gRPC-Web client would send, for the hostile-input
 * properties that go straight to an internal service's RPC port: garbage and truncated
 * frames, envelopes whose length lies, wrong content types, messages over the read limit
 * and compression bombs.
 */
export interface RpcAttack {
  protocol: "connect" | "connect-stream" | "grpc" | "grpc-web" | "wrong-type";
  contentType: string;
  /** Content-Encoding (Connect unary) or grpc-encoding (gRPC, gRPC-Web), when declared. */
  encoding?: string;
  body: Buffer;
  label: string;
}

const MiB = 1024 * 1024;
/** Over the services' 1 MiB read limit, uncompressed. */
const oversize = Buffer.alloc(2 * MiB, 0x0a);
/** 64 MiB of zeros that gzip to about 64 KiB: a small request that inflates past any limit. */
let bombCache: Buffer | undefined;
const bomb = () => (bombCache ??= gzipSync(Buffer.alloc(64 * MiB)));

type Message = { bytes: Buffer; gzip: boolean; label: string };

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((b) => ({
    bytes: Buffer.from(b),
    gzip: false,
    label: `${b.length} random bytes`,
  })),
  fc.constant({ bytes: Buffer.alloc(0), gzip: false, label: "empty" }),
  fc.constant({ bytes: oversize, gzip: false, label: "2 MiB message" }),
  fc.constant({ bytes: Buffer.alloc(0), gzip: true, label: "gzip bomb (64 MiB of zeros)" }),
  fc.uint8Array({ minLength: 1, maxLength: 512 }).map((b) => ({
    bytes: Buffer.from(b),
    gzip: true,
    label: `${b.length} random bytes declared gzip`,
  })),
);

/** The gRPC length-prefixed envelope, with a flag byte and a declared length that may lie. */
const envelope = fc.record({
  flags: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 255 })),
  declaredLength: fc.oneof(
    fc.constant(-1),
    fc.integer({ min: 0, max: 0xffffffff }),
    fc.integer({ min: 0, max: 64 }),
  ),
  truncateTo: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 8 })),
});

export const rpcAttack: fc.Arbitrary<RpcAttack> = fc
  .tuple(
    fc.constantFrom("connect", "connect-stream", "grpc", "grpc-web", "wrong-type") as fc.Arbitrary<
      RpcAttack["protocol"]
    >,
    message,
    envelope,
    fc.constantFrom(undefined, "gzip", "identity", "br", "x-unknown"),
    fc.constantFrom("text/plain", "application/xml", "application/grpc+xml", "multipart/form-data"),
  )
  .map(([protocol, msg, env, encoding, wrongType]) => {
    const payload = msg.gzip ? (msg.bytes.length === 0 ? bomb() : msg.bytes) : msg.bytes;
    const declaredEncoding = msg.gzip ? "gzip" : encoding;
    if (protocol === "connect" || protocol === "wrong-type") {
      const contentType =
        protocol === "connect"
          ? payload.length % 2
            ? "application/proto"
            : "application/json"
          : wrongType;
      return {
        protocol,
        contentType,
        encoding: declaredEncoding,
        body: payload,
        label: `${protocol} ${contentType} ${declaredEncoding ?? ""} ${msg.label}`,
      };
    }
    const header = Buffer.alloc(5);
    header[0] = env.flags >= 0 ? env.flags : msg.gzip ? 1 : 0;
    header.writeUInt32BE(env.declaredLength >= 0 ? env.declaredLength : payload.length, 1);
    let body = Buffer.concat([header, payload]);
    if (env.truncateTo >= 0) body = body.subarray(0, env.truncateTo);
    const contentType = {
      grpc: "application/grpc+proto",
      "grpc-web": "application/grpc-web+proto",
      "connect-stream": "application/connect+proto",
    }[protocol];
    return {
      protocol,
      contentType,
      encoding: declaredEncoding,
      body,
      label: `${protocol} flags=${header[0]} len=${header.readUInt32BE(1)} sent=${body.length} ${declaredEncoding ?? ""} ${msg.label}`,
    };
  });

export async function sendRpcAttack(
  baseUrl: string,
  path: string,
  attack: RpcAttack,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const encodingHeader: Record<string, string> =
    attack.encoding === undefined
      ? {}
      : attack.protocol === "connect" || attack.protocol === "wrong-type"
        ? { "content-encoding": attack.encoding }
        : attack.protocol === "connect-stream"
          ? { "connect-content-encoding": attack.encoding }
          : { "grpc-encoding": attack.encoding };
  const grpcHeaders: Record<string, string> = attack.protocol === "grpc" ? { te: "trailers" } : {};
  return rawH2Request(baseUrl, path, attack.body, {
    "content-type": attack.contentType,
    ...grpcHeaders,
    ...encodingHeader,
    ...headers,
  });
}

/**
 * Why an answer is wrong for hostile input, or undefined when it is a proper refusal: no
 * Connect `internal`/`unknown` (gRPC 13/2) anywhere, and no HTTP 5xx beyond what the
 * protocols map a proper code to (501 unimplemented, 503 unavailable).
 */
export function improperRpcAnswer(res: RawResponse): string | undefined {
  if (res.status >= 500 && res.status !== 501 && res.status !== 503)
    return `HTTP ${res.status}: ${res.body.slice(0, 200)}`;
  const grpcStatus = res.trailers["grpc-status"] ?? res.headers["grpc-status"];
  if (grpcStatus === "2" || grpcStatus === "13")
    return `grpc-status ${String(grpcStatus)}: ${String(res.trailers["grpc-message"] ?? res.headers["grpc-message"])}`;
  if (/grpc-status:\s*(2|13)\b/.test(res.body)) return `gRPC-Web trailer: ${res.body.slice(-200)}`;
  if (/"code"\s*:\s*"(internal|unknown)"/.test(res.body))
    return `Connect error: ${res.body.slice(0, 200)}`;
  if (res.status >= 400 && String(res.headers["content-type"]).startsWith("application/json")) {
    const error = parsedOrUndefined(res.body) as { code?: unknown } | undefined;
    if (typeof error?.code !== "string")
      return `not a Connect error body: ${res.body.slice(0, 200)}`;
  }
  return undefined;
}

function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The property every internal service is held to: generated attacks on its methods are
 * all answered properly. Returns how they were answered (gRPC status, or HTTP status for
 * Connect), for the suite's summary.
 */
export async function expectProperRpcAnswers(
  baseUrl: string,
  paths: string[],
  headers: Record<string, string>,
  options: { numRuns: number; seed: number },
): Promise<Record<string, number>> {
  const answers: Record<string, number> = {};
  await fc.assert(
    fc.asyncProperty(rpcAttack, fc.constantFrom(...paths), async (attack, path) => {
      const res = await sendRpcAttack(baseUrl, path, attack, headers);
      const answer = String(
        res.trailers["grpc-status"] ?? res.headers["grpc-status"] ?? res.status,
      );
      answers[answer] = (answers[answer] ?? 0) + 1;
      const wrong = improperRpcAnswer(res);
      if (wrong) throw new Error(`${attack.label} to ${path}: ${wrong}`);
    }),
    options,
  );
  return answers;
}

export type HostileRpcSummary = {
  numRuns: number;
  seed: number;
  answers: Record<string, number>;
  ms: number;
} & Survival;

/**
 * One service's whole hostile-RPC property: an honest call to warm it up, its memory as
 * the baseline, `numRuns` generated attacks on its methods (each answered properly), then
 * the process still running, the honest call served again and memory back near the
 * baseline. Returns how the attacks were answered and the memory figures, which the suites
 * print for the reliability table.
 */
export async function expectHostileRpcSurvived(
  service: ServiceProcess,
  options: { paths: string[]; token: string; numRuns: number; honest: () => Promise<void> },
): Promise<HostileRpcSummary> {
  await options.honest();
  const baseline = await memoryBaseline(service);
  const started = Date.now();
  const { numRuns, seed } = hostileRuns(options.numRuns);
  const answers = await expectProperRpcAnswers(
    service.rpcUrl,
    options.paths,
    { authorization: `Bearer ${options.token}` },
    { numRuns, seed },
  );
  const survival = await expectSurvived(service, baseline, options.honest);
  return { numRuns, seed, answers, ms: Date.now() - started, ...survival };
}
