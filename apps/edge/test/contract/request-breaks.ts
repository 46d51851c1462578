import fc from "fast-check";
import type { SchemaNode } from "./request-document.ts";
import {
  bounds,
  integers,
  pattern,
  property,
  typesOf,
  type ValidValues,
} from "./request-arbitraries.ts";
import { fitsCarrier, textOf, type Carrier } from "./request-text.ts";

/** A value made invalid in exactly one place, and what was broken there. */
export interface Broken {
  value: unknown;
  /** e.g. `body.title: maxLength 120` */
  broke: string;
}

/** One value of each JSON type, for wrong-type variants. */
const TYPE_SAMPLES: Array<[string, unknown]> = [
  ["string", "text"],
  ["integer", 7],
  ["number", 1.5],
  ["boolean", true],
  ["null", null],
  ["object", {}],
  ["array", []],
];

/** Text that is not a number, for a number in a path, query or header. */
const NOT_NUMBERS = ["abc", "ten", "", "1,5", "Infinity", "NaN", "0x10", "1e1", " 5"];

/** Names for unknown fields (built once: a regex arbitrary is costly to build). */
const FIELD_NAME = fc.stringMatching(/^[a-z][a-z_]{0,15}$/);

const NOT_FORMATTED: Record<string, string[]> = {
  "date-time": ["tomorrow", "2030-13-01T00:00:00Z", "2030-01-01", "2030-01-01 10:00:00"],
  email: ["no-at-sign", "ada@", "@example.com", "a b@example.com"],
  uuid: ["not-a-uuid", "0197a4b2-7c1e-7000-8000"],
  uri: ["not a uri", "://x"],
};

/** One place in a value that can be broken, and how to put a broken one back in the whole. */
export interface Place {
  node: SchemaNode;
  value: unknown;
  carrier: Carrier;
  /** e.g. `body.starting_price.amount_minor` */
  where: string;
  put: (broken: unknown) => unknown;
}

/**
 * Variants of a valid value that break exactly one constraint of its schema, at the
 * value itself or inside one of its properties: a wrong type, a value outside the enum,
 * a string too short, too long or off its pattern or format, a number out of range or
 * not whole, a required property left out, an unknown one added to a closed object.
 * Each is confirmed invalid by the document's validator.
 */
export class BrokenValues {
  readonly #valid: ValidValues;

  constructor(valid: ValidValues) {
    this.#valid = valid;
  }

  /** The places of a value that have a constraint to break: itself, and each property's value. */
  places(
    at: SchemaNode,
    value: unknown,
    carrier: Carrier,
    where: string,
    put: (broken: unknown) => unknown = (v) => v,
  ): Place[] {
    const node = this.#valid.node(at);
    const own = this.#own(node, value, carrier).length
      ? [{ node, value, carrier, where, put }]
      : [];
    if (!isObject(value) || !node.schema.properties) return own;
    const inside = Object.keys(value)
      .filter((k) => k in (node.schema.properties as object))
      .flatMap((k) =>
        this.places(property(node, k), value[k], "json", `${where}.${k}`, (v) =>
          put({ ...value, [k]: v }),
        ),
      );
    return [...own, ...inside];
  }

  /** Values breaking one constraint at a place, put back in the whole. */
  at({ node, value, carrier, where, put }: Place): fc.Arbitrary<Broken> {
    const keep = (v: unknown) =>
      fitsCarrier(v, carrier) && !this.#valid.document.validates(node, v);
    const breaks = this.#own(node, value, carrier).filter(([, arbitrary]) =>
      viable(arbitrary, keep),
    );
    if (!breaks.length) throw new Error(`${where}: no constraint of ${node.pointer} can be broken`);
    return fc.oneof(
      ...breaks.map(([keyword, arbitrary]) =>
        arbitrary.filter(keep).map((v) => ({ value: put(v), broke: `${where}: ${keyword}` })),
      ),
    );
  }

  /** Breaks of the value's own keywords, each labelled with what it breaks. */
  #own(node: SchemaNode, value: unknown, carrier: Carrier): Array<[string, fc.Arbitrary<unknown>]> {
    const s = node.schema;
    const breaks: Array<[string, fc.Arbitrary<unknown>]> = [];
    const types = Array.isArray(s.anyOf) ? ["any of"] : typesOf(node);
    const numeric = types.includes("integer") || types.includes("number");
    if (carrier === "json") {
      const others = TYPE_SAMPLES.filter(([type]) => !types.includes(type)).map(([, v]) => v);
      breaks.push([`type ${types.join("|")}`, fc.constantFrom(...others)]);
    } else if (numeric) {
      breaks.push([`type ${types.join("|")} (text)`, fc.constantFrom(...NOT_NUMBERS)]);
    }
    if (Array.isArray(s.anyOf)) return breaks;
    const choices = Array.isArray(s.enum) ? s.enum : "const" in s ? [s.const] : undefined;
    if (choices)
      breaks.push(["enum", textOf(carrier, { maxLength: 12 }).filter((v) => !choices.includes(v))]);
    if (types.includes("string")) breaks.push(...this.#strings(node, value, carrier));
    if (numeric) breaks.push(...numbers(node));
    if (types.includes("object") && isObject(value)) breaks.push(...objects(node, value));
    return breaks;
  }

  #strings(
    node: SchemaNode,
    value: unknown,
    carrier: Carrier,
  ): Array<[string, fc.Arbitrary<unknown>]> {
    const s = node.schema;
    const text = typeof value === "string" && value !== "" ? value : "a";
    const breaks: Array<[string, fc.Arbitrary<unknown>]> = [];
    // A path segment cannot be empty, so a minimum of 1 cannot be broken there.
    if (typeof s.minLength === "number" && s.minLength > (carrier === "path" ? 1 : 0))
      breaks.push([`minLength ${s.minLength}`, textOf(carrier, { maxLength: s.minLength - 1 })]);
    if (typeof s.maxLength === "number") {
      const max = s.maxLength;
      breaks.push([
        `maxLength ${max}`,
        fc.integer({ min: max + 1, max: max + 16 }).map((n) => stretch(text, n)),
      ]);
    }
    const regex = pattern(s);
    if (regex) {
      breaks.push([
        `pattern ${regex.source}`,
        textOf(carrier, { maxLength: 80 }).filter((v) => !regex.test(v)),
      ]);
      breaks.push([
        `pattern ${regex.source} (too long)`,
        fc.integer({ min: [...text].length + 1, max: 1000 }).map((n) => stretch(text, n)),
      ]);
    }
    const formats = typeof s.format === "string" ? NOT_FORMATTED[s.format] : undefined;
    if (formats) breaks.push([`format ${s.format as string}`, fc.constantFrom(...formats)]);
    return breaks;
  }
}

function numbers(node: SchemaNode): Array<[string, fc.Arbitrary<unknown>]> {
  const s = node.schema;
  const { lo, hi } = bounds(s);
  const breaks: Array<[string, fc.Arbitrary<unknown>]> = [];
  const low = ["minimum", "exclusiveMinimum"].find((k) => typeof s[k] === "number");
  const high = ["maximum", "exclusiveMaximum"].find((k) => typeof s[k] === "number");
  if (low) breaks.push([`${low} ${s[low] as number}`, integers({ lo: lo - 1000, hi: lo - 1 })]);
  if (high) breaks.push([`${high} ${s[high] as number}`, integers({ lo: hi + 1, hi: hi + 1000 })]);
  if (typesOf(node).includes("integer") && !typesOf(node).includes("number") && lo < hi)
    breaks.push(["type integer (a fraction)", fc.constant(lo + 0.5)]);
  return breaks;
}

function objects(
  node: SchemaNode,
  value: Record<string, unknown>,
): Array<[string, fc.Arbitrary<unknown>]> {
  const s = node.schema;
  const breaks: Array<[string, fc.Arbitrary<unknown>]> = ((s.required ?? []) as string[]).map(
    (k) => {
      const { [k]: _left, ...rest } = value;
      return [`required ${k}`, fc.constant(rest)];
    },
  );
  if (s.additionalProperties === false) {
    const known = Object.keys((s.properties ?? {}) as object);
    const name = FIELD_NAME.filter((k) => !known.includes(k));
    breaks.push([
      "additionalProperties false",
      fc.tuple(name, fc.jsonValue({ maxDepth: 1 })).map(([k, v]) => ({ ...value, [k]: v })),
    ]);
  }
  return breaks;
}

/**
 * Whether a break can be made at all: some of a fixed sample of its values are kept.
 * A filter that never passes would spin forever, so breaks that cannot work are dropped.
 */
function viable(arbitrary: fc.Arbitrary<unknown>, keep: (v: unknown) => boolean): boolean {
  return fc.sample(arbitrary, { numRuns: 12, seed: 1 }).some(keep);
}

/** The text repeated (never empty) until it has n characters. */
function stretch(text: string, n: number): string {
  const chars = [...text];
  return text.repeat(Math.floor(n / chars.length)) + chars.slice(0, n % chars.length).join("");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
