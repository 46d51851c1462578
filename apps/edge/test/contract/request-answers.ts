/** A response as the properties judge it. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  contentType: string;
  text: string;
  /** The parsed JSON body, or undefined when it is not JSON. */
  body: unknown;
}

export async function answerOf(res: Response): Promise<Answer> {
  const text = await res.text();
  const contentType = res.headers.get("content-type") ?? "";
  let body: unknown;
  try {
    body = /json/.test(contentType) && text !== "" ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: Object.fromEntries(res.headers), contentType, text, body };
}

/** Problem types that refuse a request for its shape, whatever their status. */
const SHAPE_TYPES = [
  "validation-failed",
  "malformed-json",
  "invalid-argument",
  "invalid-idempotency-key",
  "bad-request",
  "unsupported-media-type",
  "body-too-large",
];

export function serverError(answer: Answer): string | undefined {
  return answer.status >= 500 ? `HTTP ${answer.status}: ${answer.text.slice(0, 300)}` : undefined;
}

/** Why a valid request's answer is a refusal of its shape, if it is one. */
export function shapeRefusal(answer: Answer): string | undefined {
  const type = problemType(answer);
  if ([400, 413, 415].includes(answer.status) || SHAPE_TYPES.includes(type))
    return `a valid request refused for its shape: HTTP ${answer.status} ${answer.text.slice(0, 300)}`;
  return undefined;
}

/** Why an invalid request's answer is not a 400 or 422 problem, if it is not. */
export function notAShapeProblem(answer: Answer): string | undefined {
  if (answer.status !== 400 && answer.status !== 422)
    return `an invalid request answered HTTP ${answer.status}, not 400 or 422: ${answer.text.slice(0, 300)}`;
  return notAProblem(answer);
}

/** Why an error answer is not an RFC 9457 problem with type, title, status and detail. */
export function notAProblem(answer: Answer): string | undefined {
  if (!answer.contentType.startsWith("application/problem+json"))
    return `HTTP ${answer.status} as ${answer.contentType || "no content type"}, not a problem`;
  const p = answer.body as Record<string, unknown> | undefined;
  const strings = ["type", "title", "detail"].every((k) => typeof p?.[k] === "string");
  if (!strings || p?.status !== answer.status)
    return `HTTP ${answer.status} with a problem lacking type/title/status/detail: ${answer.text.slice(0, 300)}`;
  return undefined;
}

/**
 * Why an NDJSON import's answer does not answer each line on its own, if it does not:
 * one result per line sent, the broken line (if any) failed, every other line created.
 */
export function notLineByLine(
  answer: Answer,
  lines: number,
  brokenLine?: number,
): string | undefined {
  const results = (answer.body as { results?: Array<{ line: number; status: string }> } | undefined)
    ?.results;
  if (answer.status !== 200 || !Array.isArray(results))
    return `an import answered HTTP ${answer.status}: ${answer.text.slice(0, 300)}`;
  const wrong = results.filter((r) => (r.line === brokenLine) !== (r.status === "failed"));
  if (results.length === lines && !wrong.length) return undefined;
  const broken = brokenLine ? `line ${brokenLine} of ${lines} broken` : `${lines} valid lines`;
  return `an import of ${broken} answered ${results.length} results: ${JSON.stringify(wrong).slice(0, 400)}`;
}

function problemType(answer: Answer): string {
  const type = (answer.body as { type?: unknown } | undefined)?.type;
  return typeof type === "string" && /problem/.test(answer.contentType)
    ? (type.split("/").pop() ?? "")
    : "";
}
