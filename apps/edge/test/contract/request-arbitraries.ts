import fc from "fast-check";
import { escape } from "./document-match.ts";
import {
  ANNOTATIONS,
  type JsonSchema,
  type SchemaNode,
  type ServedDocument,
} from "./request-document.ts";
import { fitsCarrier, textOf, type Carrier } from "./request-text.ts";

/** The validation keywords generated from; any other (not an annotation) stops the run. */
const KEYWORDS = new Set([
  "$ref",
  "type",
  "enum",
  "const",
  "anyOf",
  "properties",
  "required",
  "additionalProperties",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
]);

const FORMATS: Record<string, fc.Arbitrary<string>> = {
  "date-time": fc
    .date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z") })
    .filter((d) => !Number.isNaN(d.getTime()))
    .map((d) => d.toISOString()),
  email: fc.emailAddress(),
  uuid: fc.uuid(),
  uri: fc.webUrl(),
};

/**
 * fast-check arbitraries of the values a schema of the document allows, for a subset of
 * JSON Schema (objects, strings, numbers, booleans, null, enum/const, anyOf, $ref). Every
 * value is checked against the document's own validator before it is used.
 */
export class ValidValues {
  readonly document: ServedDocument;

  constructor(document: ServedDocument) {
    this.document = document;
  }

  /** A node's $ref followed, its keywords checked: an unsupported one throws. */
  node(at: SchemaNode): SchemaNode {
    const node = this.document.resolve(at);
    const unsupported = Object.keys(node.schema).filter(
      (k) => !KEYWORDS.has(k) && !ANNOTATIONS.has(k),
    );
    if (unsupported.length)
      throw new Error(`${node.pointer}: cannot generate from ${unsupported.join(", ")}`);
    return node;
  }

  of(at: SchemaNode, carrier: Carrier): fc.Arbitrary<unknown> {
    const node = this.node(at);
    return this.#unchecked(node, carrier).filter((v) => this.document.validates(node, v));
  }

  #unchecked(node: SchemaNode, carrier: Carrier): fc.Arbitrary<unknown> {
    const s = node.schema;
    if (Array.isArray(s.anyOf))
      return fc.oneof(
        ...s.anyOf.map((b, i) =>
          this.of({ schema: b as JsonSchema, pointer: `${node.pointer}/anyOf/${i}` }, carrier),
        ),
      );
    if ("const" in s) return fc.constant(s.const);
    if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
    return fc.oneof(...typesOf(node).map((type) => this.#ofType(type, node, carrier)));
  }

  #ofType(type: string, node: SchemaNode, carrier: Carrier): fc.Arbitrary<unknown> {
    const s = node.schema;
    if (type === "string") return strings(node, carrier);
    if (type === "integer") return integers(bounds(s));
    if (type === "number") return numbers(s);
    if (type === "boolean") return fc.boolean();
    if (type === "null" && carrier === "json") return fc.constant(null);
    if (type === "object" && carrier === "json") return this.#objects(node);
    throw new Error(`${node.pointer}: cannot generate a ${type} carried in ${carrier}`);
  }

  #objects(node: SchemaNode): fc.Arbitrary<Record<string, unknown>> {
    const s = node.schema;
    const properties = (s.properties ?? {}) as Record<string, unknown>;
    const required = (s.required ?? []) as string[];
    const missing = required.filter((k) => !(k in properties));
    if (missing.length)
      throw new Error(`${node.pointer}: required ${missing.join(", ")} undefined`);
    if (typeof s.additionalProperties === "object")
      throw new Error(`${node.pointer}: additionalProperties as a schema is unsupported`);
    const model = Object.fromEntries(
      Object.keys(properties).map((k) => [k, this.of(property(node, k), "json")]),
    );
    return fc.record(model, { requiredKeys: required });
  }
}

export function typesOf(node: SchemaNode): string[] {
  const type = node.schema.type;
  if (typeof type === "string") return [type];
  if (Array.isArray(type) && type.length) return type as string[];
  throw new Error(`${node.pointer}: a schema without a type is unsupported`);
}

export function property(node: SchemaNode, name: string): SchemaNode {
  const properties = node.schema.properties as Record<string, JsonSchema>;
  return {
    schema: properties[name]!,
    pointer: `${node.pointer}/properties/${escape(name)}`,
  };
}

export function pattern(s: JsonSchema): RegExp | undefined {
  return typeof s.pattern === "string" ? new RegExp(s.pattern, "u") : undefined;
}

/** Strings from the pattern, else the format, else the carrier's characters, lengths biased to the bounds. */
function strings(node: SchemaNode, carrier: Carrier): fc.Arbitrary<string> {
  const s = node.schema;
  const min = (s.minLength as number | undefined) ?? 0;
  const max = s.maxLength as number | undefined;
  const regex = pattern(s);
  if (regex) return fc.stringMatching(regex).filter((v) => fitsCarrier(v, carrier));
  if (typeof s.format === "string") {
    const format = FORMATS[s.format];
    if (!format) throw new Error(`${node.pointer}: cannot generate format ${s.format}`);
    return format.filter((v) => fitsCarrier(v, carrier));
  }
  const edges = [
    ...(max === undefined ? [] : [textOf(carrier, { minLength: max, maxLength: max })]),
    ...(min > 0 ? [textOf(carrier, { minLength: min, maxLength: min })] : []),
  ];
  return fc.oneof(
    {
      arbitrary: textOf(carrier, {
        minLength: min,
        ...(max === undefined ? {} : { maxLength: max }),
      }),
      weight: 4,
    },
    ...edges.map((arbitrary) => ({ arbitrary, weight: 1 })),
  );
}

/** The smallest and largest integers a schema allows (safe integers when unbounded). */
export function bounds(s: JsonSchema): { lo: number; hi: number } {
  const num = (k: string) => (typeof s[k] === "number" ? (s[k] as number) : undefined);
  const lower = [num("minimum"), exclusive(num("exclusiveMinimum"), 1)].filter(defined);
  const upper = [num("maximum"), exclusive(num("exclusiveMaximum"), -1)].filter(defined);
  return {
    lo: Math.ceil(Math.max(Number.MIN_SAFE_INTEGER, ...lower)),
    hi: Math.floor(Math.min(Number.MAX_SAFE_INTEGER, ...upper)),
  };
}

function exclusive(limit: number | undefined, step: number): number | undefined {
  if (limit === undefined) return undefined;
  return Number.isInteger(limit) ? limit + step : limit;
}

function defined<T>(v: T | undefined): v is T {
  return v !== undefined;
}

export function integers({ lo, hi }: { lo: number; hi: number }): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.bigInt({ min: BigInt(lo), max: BigInt(hi) }).map(Number), weight: 4 },
    { arbitrary: fc.constantFrom(lo, hi), weight: 1 },
  );
}

/** Finite numbers within the bounds (exclusive ones are left to the document's validator). */
function numbers(s: JsonSchema): fc.Arbitrary<number> {
  const min = typeof s.minimum === "number" ? { min: s.minimum } : {};
  const max = typeof s.maximum === "number" ? { max: s.maximum } : {};
  return fc
    .double({ noNaN: true, noDefaultInfinity: true, ...min, ...max })
    .filter((v) => !Object.is(v, -0));
}
