import { z } from "zod";

export type JsonSchema = Record<string, unknown>;

export const SCHEMA_REF = "#/components/schemas/";

/**
 * JSON Schemas from zod schemas, for components.schemas: each named schema becomes one
 * entry, and every use of a named schema inside another is a $ref to it. `others` are
 * converted in the same pass, so their uses of named schemas are $refs too, but are
 * returned apart (the query and path objects whose fields become parameters).
 */
export function jsonSchemas(
  named: Record<string, z.ZodType>,
  others: Map<z.ZodType, string>,
  io: "input" | "output",
): { named: Record<string, JsonSchema>; others: Map<z.ZodType, JsonSchema> } {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  for (const [schema, id] of others) {
    if (registry.has(schema)) throw new Error(`${id} is already named ${registry.get(schema)?.id}`);
    registry.add(schema, { id });
  }
  const { schemas } = z.toJSONSchema(registry, {
    io,
    unrepresentable: "any",
    uri: (id) => `${SCHEMA_REF}${id}`,
  });
  const plain = (id: string) => {
    const { $schema: _s, $id: _i, ...schema } = schemas[id] as JsonSchema;
    return schema;
  };
  return {
    named: Object.fromEntries(Object.keys(named).map((id) => [id, plain(id)])),
    others: new Map([...others].map(([schema, id]) => [schema, plain(id)])),
  };
}

/** The fields of an object schema, each with whether it must be given. */
export function fieldsOf(
  object: JsonSchema,
): Array<{ name: string; required: boolean; schema: JsonSchema }> {
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    required: required.has(name),
    schema,
  }));
}
