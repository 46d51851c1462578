import fc from "fast-check";

/** How a value travels: JSON keeps its type; a path segment, a query value or a header is text. */
export type Carrier = "json" | "path" | "query" | "header";

const printableAscii = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));

/**
 * Any code point, with those that trip text handling made likely: line and paragraph
 * separators (JSON leaves them unescaped; line splitters may not), NUL, BOM, a
 * combining mark, an astral character (two UTF-16 units), white space and controls.
 */
const anyCodePoint = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      ...["\u2028", "\u2029", "\u0085", "\u0000", "\ufeff", "\u0301", "\u{1f600}"],
      ...["\n", "\r", "\t", " ", "\u00a0", "\u001f", "\u007f", "\\", '"', "/"],
    ),
  },
);

/**
 * Strings a carrier can take as they are: any code point in JSON and the query (both
 * UTF-8 encoded), any but an empty or dot segment in a path (the URL parser would
 * resolve it away), and printable ASCII without edge spaces in a header (fetch trims
 * them and refuses the rest).
 */
export function textOf(
  carrier: Carrier,
  constraints: { minLength?: number; maxLength?: number } = {},
): fc.Arbitrary<string> {
  const unit = carrier === "header" ? printableAscii : anyCodePoint;
  return fc.string({ unit, ...constraints }).filter((s) => fitsCarrier(s, carrier));
}

export function fitsCarrier(value: unknown, carrier: Carrier): boolean {
  if (typeof value !== "string") return true;
  if (carrier === "path") return value !== "" && value !== "." && value !== "..";
  if (carrier === "header") return /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/.test(value);
  return !/[\uD800-\uDFFF]/.test(value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ""));
}

/** The value as text in a path, query or header: numbers and booleans as JSON writes them. */
export function asText(value: unknown, where: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
  throw new Error(`${where}: ${JSON.stringify(value)} cannot travel as text`);
}
