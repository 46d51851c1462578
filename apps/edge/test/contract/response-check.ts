import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { documented, escape, resolve, type OpenApiDocument } from "./document-match.ts";

/** A response as received, for the check. */
export interface ReceivedResponse {
  method: string;
  /** The path the request was sent to, with its query if it had one. */
  path: string;
  status: number;
  /** Names in any case; a list of values is taken as they would be joined, with ", ". */
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The body, decoded; undefined when it was not read (the check then skips it). */
  body: string | undefined;
}

/**
 * Whether a response is one the document promises for its request: the status is
 * listed for the operation (or for the document's other requests), the required
 * headers are there and every documented header present is valid, and the body is
 * valid against the schema of its status and media type. Returns what is wrong, each
 * naming the method, path and status; an empty list when nothing is.
 */
export function checkResponse(document: OpenApiDocument, response: ReceivedResponse): string[] {
  const validators = validatorsOf(document);
  const where = documented(document, response.method, response.path);
  const at = `${response.method.toUpperCase()} ${response.path} -> ${response.status}`;
  const listed = where.operation.responses[String(response.status)];
  if (listed === undefined) {
    const known = Object.keys(where.operation.responses).join(", ");
    return [`${at}: ${response.status} is not an answer of ${where.label} (it lists ${known})`];
  }
  const pointer = `${where.pointer}/responses/${response.status}`;
  const { value: answer, pointer: answerAt } = resolve(document, listed, pointer);
  const headers = headerMap(response.headers);
  const wrong = [
    ...checkHeaders(document, validators, answer, answerAt, headers),
    ...checkBody(validators, answer, answerAt, headers, response, where.bodiless),
  ];
  return wrong.map((w) => `${at} (${where.label}): ${w}`);
}

function checkHeaders(
  document: OpenApiDocument,
  validators: Validators,
  answer: Record<string, unknown>,
  answerAt: string,
  headers: Map<string, string>,
): string[] {
  const wrong: string[] = [];
  const listed = (answer.headers ?? {}) as Record<string, unknown>;
  for (const [name, header] of Object.entries(listed)) {
    const { value, pointer } = resolve(document, header, `${answerAt}/headers/${escape(name)}`);
    const received = headers.get(name.toLowerCase());
    if (received === undefined) {
      if (value.required) wrong.push(`the required header ${name} is missing`);
      continue;
    }
    const errors = validators.check(`${pointer}/schema`, received);
    if (errors) wrong.push(`header ${name}: ${JSON.stringify(received)} ${errors}`);
  }
  return wrong;
}

function checkBody(
  validators: Validators,
  answer: Record<string, unknown>,
  answerAt: string,
  headers: Map<string, string>,
  response: ReceivedResponse,
  bodiless: boolean,
): string[] {
  const content = answer.content as Record<string, unknown> | undefined;
  const type = headers.get("content-type");
  if (bodiless || response.body === undefined) return [];
  if (!content) {
    return response.body === "" ? [] : [`a body (${type ?? "no type"}) where none is documented`];
  }
  if (type === undefined) return ["no Content-Type, where a body is documented"];
  const mediaType = type.split(";", 1)[0]!.trim().toLowerCase();
  if (!(mediaType in content)) {
    return [`the media type ${mediaType} is not documented (${Object.keys(content).join(", ")})`];
  }
  let body: unknown = response.body;
  if (/[/+]json$/.test(mediaType)) {
    try {
      body = JSON.parse(response.body);
    } catch {
      return [`the body is not JSON: ${response.body.slice(0, 200)}`];
    }
  }
  const errors = validators.check(`${answerAt}/content/${escape(mediaType)}/schema`, body);
  return errors ? [`the body ${errors}: ${JSON.stringify(body).slice(0, 300)}`] : [];
}

function headerMap(headers: ReceivedResponse["headers"]): Map<string, string> {
  const entries =
    headers instanceof Headers ? [...headers.entries()] : Object.entries(headers ?? {});
  const map = new Map<string, string>();
  for (const [name, value] of entries) {
    if (value !== undefined)
      map.set(name.toLowerCase(), Array.isArray(value) ? value.join(", ") : value);
  }
  return map;
}

/** "at /items/0: must NOT have additional properties (secret)". */
function describeError(error: ErrorObject): string {
  const extra = error.params as { additionalProperty?: string; allowedValue?: unknown };
  const detail =
    extra.additionalProperty !== undefined
      ? ` (${extra.additionalProperty})`
      : extra.allowedValue !== undefined
        ? ` ${JSON.stringify(extra.allowedValue)}`
        : "";
  return `${error.instancePath ? `at ${error.instancePath}: ` : ""}${error.message}${detail}`;
}

interface Validators {
  /** The schema at `pointer` in the document; a description of what fails, if anything. */
  check(pointer: string, value: unknown): string | undefined;
}

const DOCUMENT_ID = "https://gavel.invalid/openapi.json";
const compiled = new WeakMap<OpenApiDocument, Validators>();

/**
 * JSON Schema 2020-12 validators (the dialect of OpenAPI 3.1) over the whole document,
 * so a schema's "#/components/..." refs resolve in it; strict, so a keyword the
 * validator does not know fails instead of passing silently.
 */
function validatorsOf(document: OpenApiDocument): Validators {
  const known = compiled.get(document);
  if (known) return known;
  const ajv = new Ajv2020({ allErrors: true, strictTypes: false, strictRequired: false });
  addFormats.default(ajv);
  // The document's own fields and OpenAPI's annotation keywords are not validation.
  ajv.addVocabulary([...Object.keys(document), "example", "discriminator", "xml", "externalDocs"]);
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  const cache = new Map<string, ValidateFunction>();
  const validators: Validators = {
    check(pointer, value) {
      let validate = cache.get(pointer);
      if (!validate) {
        validate = ajv.getSchema(`${DOCUMENT_ID}#${pointer}`);
        if (!validate) throw new Error(`no schema at ${pointer}`);
        cache.set(pointer, validate);
      }
      if (validate(value)) return undefined;
      return (validate.errors ?? []).map(describeError).join("; ");
    },
  };
  compiled.set(document, validators);
  return validators;
}
