import { GraphQLError, GraphQLScalarType, Kind } from "graphql";

const DIGITS = /^\d{1,19}$/;

/** Money's minor units: bigint inside, a string of digits on the wire (beyond Int's 32 bits). */
export const MinorUnits = new GraphQLScalarType<bigint, string>({
  name: "MinorUnits",
  serialize: (value) => String(value as bigint),
  parseValue: (value) => minorUnits(value),
  parseLiteral: (ast) =>
    minorUnits(ast.kind === Kind.STRING || ast.kind === Kind.INT ? ast.value : undefined),
});

function minorUnits(value: unknown): bigint {
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== "string" || !DIGITS.test(text))
    throw new GraphQLError('MinorUnits must be a string of digits, e.g. "1250" for 12.50');
  return BigInt(text);
}

/** An instant: Date inside, an RFC 3339 string on the wire. */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  serialize: (value) => (value as Date).toISOString(),
  parseValue: (value) => dateTime(value),
  parseLiteral: (ast) => dateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function dateTime(value: unknown): Date {
  const date = typeof value === "string" && RFC3339.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime()))
    throw new GraphQLError("DateTime must be an RFC 3339 string, e.g. 2030-01-31T12:00:00Z");
  return date;
}
