import fc from "fast-check";
import type { ValidValues } from "./request-arbitraries.ts";
import type { BrokenValues, Place } from "./request-breaks.ts";
import type {
  DocumentedOperation,
  DocumentedParameter,
  ServedDocument,
  ParameterPlace,
} from "./request-document.ts";
import { asText } from "./request-text.ts";

/** A request to one operation, its parts as values (numbers stay numbers until sent). */
export interface GeneratedRequest {
  /** Which simulated client sends it. */
  caller: number;
  signedIn: boolean;
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  header: Record<string, unknown>;
  /** The JSON body, or the NDJSON body's lines; undefined without a body. */
  body: unknown;
}

export interface InvalidRequest {
  request: GeneratedRequest;
  broke: string;
  /** For an NDJSON body: the 1-based line that was broken. */
  line?: number;
}

/** What the document cannot know, put into a valid request (fixtures, cross-field rules). */
export type Adjust = (
  op: DocumentedOperation,
  request: GeneratedRequest,
) => fc.Arbitrary<GeneratedRequest>;

export const NDJSON = "application/x-ndjson";

/** Valid and broken requests for the operations of the document. */
export class RequestGenerator {
  readonly #values: ValidValues;
  readonly #breaks: BrokenValues;
  readonly #callers: number;
  readonly #adjust: Adjust;

  constructor(values: ValidValues, breaks: BrokenValues, callers: number, adjust: Adjust) {
    this.#values = values;
    this.#breaks = breaks;
    this.#callers = callers;
    this.#adjust = adjust;
  }

  /** Requests whose every part is valid against the document. */
  valid(op: DocumentedOperation): fc.Arbitrary<GeneratedRequest> {
    return this.#request(op, false);
  }

  /** A valid request; with `withBody`, an optional body is always there, to be broken. */
  #request(op: DocumentedOperation, withBody: boolean): fc.Arbitrary<GeneratedRequest> {
    return fc
      .record({
        caller: fc.nat({ max: this.#callers - 1 }),
        signedIn: op.authRequired ? fc.constant(true) : fc.boolean(),
        path: this.#parameters(op, "path"),
        query: this.#parameters(op, "query"),
        header: this.#parameters(op, "header"),
        body: this.#body(op, withBody),
      })
      .chain((request) => this.#adjust(op, request));
  }

  #body(op: DocumentedOperation, always: boolean): fc.Arbitrary<unknown> {
    const body = op.body;
    if (!body) return fc.constant(undefined);
    const value =
      body.mediaType === NDJSON
        ? fc.array(this.#values.of(body.node, "json"), { minLength: 1, maxLength: 3 })
        : this.#values.of(body.node, "json");
    return body.required || always ? value : fc.option(value, { nil: undefined });
  }

  /** Whether any part of the operation's requests can be made invalid. */
  breakable(op: DocumentedOperation): boolean {
    const [request] = fc.sample(this.#request(op, true), { numRuns: 1, seed: 1 });
    return this.#targets(op, request!).length > 0;
  }

  /**
   * Valid requests with exactly one part broken: one parameter, or the body at one place.
   * The place is chosen first and only its breaks are built, each costing a sample.
   */
  invalid(op: DocumentedOperation): fc.Arbitrary<InvalidRequest> {
    return this.#request(op, true).chain((request) => {
      const targets = this.#targets(op, request);
      if (!targets.length) throw new Error(`${op.label}: nothing to break`);
      return fc.nat({ max: targets.length - 1 }).chain((i) => targets[i]!());
    });
  }

  #parameters(op: DocumentedOperation, place: ParameterPlace) {
    const params = op.parameters.filter((p) => p.in === place);
    const model = Object.fromEntries(params.map((p) => [p.name, this.#values.of(p.node, place)]));
    const requiredKeys = params.filter((p) => p.required || place === "path").map((p) => p.name);
    return fc.record(model, { requiredKeys });
  }

  #targets(op: DocumentedOperation, request: GeneratedRequest): Target[] {
    return [
      ...op.parameters.flatMap((p) => this.#parameterTargets(p, request)),
      ...this.#bodyTargets(op, request),
    ];
  }

  /** A parameter broken, or left out when required; an absent one gets a valid value first. */
  #parameterTargets(p: DocumentedParameter, request: GeneratedRequest): Target[] {
    const where = `${p.in}.${p.name}`;
    const value =
      request[p.in][p.name] ?? fc.sample(this.#values.of(p.node, p.in), { numRuns: 1, seed: 1 })[0];
    const withPart = (v: unknown, broke: string): InvalidRequest => {
      const { [p.name]: _old, ...others } = request[p.in];
      const part = v === undefined ? others : { ...others, [p.name]: v };
      return { request: { ...request, [p.in]: part }, broke };
    };
    const targets: Target[] = this.#breaks
      .places(p.node, value, p.in, where)
      .map((place) => () => this.#breaks.at(place).map((b) => withPart(b.value, b.broke)));
    if (p.required && p.in !== "path")
      targets.push(() => fc.constant(withPart(undefined, `${where}: required`)));
    return targets;
  }

  #bodyTargets(op: DocumentedOperation, request: GeneratedRequest): Target[] {
    const body = op.body;
    if (!body || request.body === undefined) return [];
    const targetsOf = (places: Place[], line?: number) =>
      places.map(
        (place) => () =>
          this.#breaks.at(place).map((b) => ({
            request: { ...request, body: b.value },
            broke: b.broke,
            ...(line ? { line } : {}),
          })),
      );
    if (body.mediaType !== NDJSON)
      return targetsOf(this.#breaks.places(body.node, request.body, "json", "body"));
    const lines = request.body as unknown[];
    return lines.flatMap((line, i) =>
      targetsOf(
        this.#breaks.places(body.node, line, "json", `body line ${i + 1}`, (v) =>
          lines.map((l, j) => (j === i ? v : l)),
        ),
        i + 1,
      ),
    );
  }
}

/** One way to break a request, built only once it is chosen. */
type Target = () => fc.Arbitrary<InvalidRequest>;

/** What is wrong with a request by the document: empty for a valid one. */
export function requestViolations(
  document: ServedDocument,
  op: DocumentedOperation,
  request: GeneratedRequest,
): string[] {
  const problems = op.parameters.flatMap((p) => {
    const value = request[p.in][p.name];
    if (value === undefined) return p.required ? [`${p.in}.${p.name}: missing`] : [];
    return document.errors(p.node, value).map((e) => `${p.in}.${p.name}${e}`);
  });
  if (op.body && request.body === undefined && op.body.required) problems.push("body: missing");
  if (op.body && request.body !== undefined) {
    const values = op.body.mediaType === NDJSON ? (request.body as unknown[]) : [request.body];
    problems.push(
      ...values.flatMap((v) => document.errors(op.body!.node, v).map((e) => `body${e}`)),
    );
  }
  return problems;
}

/** The URL and fetch options of a request, as the given client sends it. */
export function fetchOf(
  base: string,
  op: DocumentedOperation,
  request: GeneratedRequest,
  client: { ip: string; auth: Record<string, string> },
): { url: string; init: RequestInit } {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    if (request.path[name] === undefined)
      throw new Error(`the document declares no path parameter ${name} for ${op.label}`);
    return encodeURIComponent(asText(request.path[name], `path.${name}`));
  });
  const query = new URLSearchParams(
    Object.entries(request.query).map(([k, v]): [string, string] => [k, asText(v, `query.${k}`)]),
  ).toString();
  const headers: Record<string, string> = {
    "x-forwarded-for": client.ip,
    ...Object.fromEntries(
      Object.entries(request.header).map(([k, v]) => [k, asText(v, `header.${k}`)]),
    ),
    ...(request.signedIn ? client.auth : {}),
  };
  let body: string | undefined;
  if (op.body && request.body !== undefined) {
    headers["content-type"] = op.body.mediaType;
    body =
      op.body.mediaType === NDJSON
        ? (request.body as unknown[]).map((line) => JSON.stringify(line)).join("\n")
        : JSON.stringify(request.body);
  }
  return {
    url: `${base}${path}${query ? `?${query}` : ""}`,
    init: { method: op.method.toUpperCase(), headers, ...(body === undefined ? {} : { body }) },
  };
}
