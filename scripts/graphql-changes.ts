// The pure half of `npm run graphql:breaking`: two SDL texts in, graphql-js's breaking and
// dangerous changes out. No git and no files, so the rules are unit-tested.
import {
  GraphQLError,
  Source,
  buildASTSchema,
  findBreakingChanges,
  findDangerousChanges,
  parse,
  validateSchema,
} from "graphql";
import type { BreakingChange, DangerousChange, GraphQLSchema } from "graphql";

/** An SDL text and the name its errors are reported under (e.g. `main:apps/bff/schema.graphql`). */
export interface Sdl {
  name: string;
  body: string;
}

export interface SchemaChanges {
  /** Changes that can fail an existing client's operation: they fail the check. */
  breaking: BreakingChange[];
  /** Changes that may change what an existing client sees (a new enum value, a new default). */
  dangerous: DangerousChange[];
}

/** The SDL does not parse, or does not make a valid schema. */
export class InvalidSdlError extends Error {
  override name = "InvalidSdlError";
}

/**
 * Compares the schema a client was built against (`before`) with the one it will get
 * (`after`). `after` must be a valid schema on its own, as the server needs it to be.
 * `before` is history that cannot be fixed any more, so only its syntax and types have to
 * hold: directives it uses without declaring them (say `@cacheControl`, declared elsewhere
 * back then) are ignored, as they do not take part in the comparison.
 */
export function compareSchemas(before: Sdl, after: Sdl): SchemaChanges {
  const oldSchema = build(before, { strict: false });
  const newSchema = build(after, { strict: true });
  return {
    breaking: findBreakingChanges(oldSchema, newSchema),
    dangerous: findDangerousChanges(oldSchema, newSchema),
  };
}

function build(sdl: Sdl, { strict }: { strict: boolean }): GraphQLSchema {
  let schema: GraphQLSchema;
  try {
    const document = parse(new Source(sdl.body, sdl.name));
    schema = buildASTSchema(document, { assumeValidSDL: !strict });
  } catch (error) {
    throw invalid(sdl, [error]);
  }
  const errors = strict ? validateSchema(schema) : [];
  if (errors.length > 0) throw invalid(sdl, errors);
  return schema;
}

function invalid(sdl: Sdl, errors: readonly unknown[]): InvalidSdlError {
  // A GraphQLError's toString() adds the file, line and column with the offending line.
  const details = errors.map((e) =>
    e instanceof GraphQLError ? e.toString() : e instanceof Error ? e.message : String(e),
  );
  return new InvalidSdlError(`${sdl.name} is not a valid GraphQL schema:\n${details.join("\n\n")}`);
}
