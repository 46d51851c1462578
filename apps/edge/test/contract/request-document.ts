import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { escape, resolve, type OpenApiDocument } from "./document-match.ts";

/** A JSON Schema object as the OpenAPI document holds it. */
export type JsonSchema = Record<string, unknown>;

/** A schema and where it sits in the document (a JSON pointer), so ajv can judge values. */
export interface SchemaNode {
  schema: JsonSchema;
  pointer: string;
}

export type ParameterPlace = "path" | "query" | "header";

export interface DocumentedParameter {
  name: string;
  in: ParameterPlace;
  required: boolean;
  node: SchemaNode;
}

/** One operation of the served document, its references followed. */
export interface DocumentedOperation {
  method: string;
  /** The path template, e.g. /v1/lots/{id}. */
  path: string;
  /** "POST /v1/lots", for messages. */
  label: string;
  parameters: DocumentedParameter[];
  body: { mediaType: string; node: SchemaNode; required: boolean } | undefined;
  /** True when no security requirement of the operation is the empty one. */
  authRequired: boolean;
}

const DOCUMENT_ID = "gavel:openapi.json";
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

/**
 * The served OpenAPI document, read for what requests it allows: its operations with
 * their parameters and bodies, and a validator for any schema in it (ajv, JSON Schema
 * 2020-12 with formats), so generated values are judged by the document, not by us.
 */
export class ServedDocument {
  readonly raw: OpenApiDocument;
  readonly #ajv = new Ajv2020({ strict: false, allErrors: true });
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(raw: OpenApiDocument) {
    this.raw = raw;
    addFormats.default(this.#ajv);
    this.#ajv.addSchema(raw, DOCUMENT_ID);
  }

  operations(): DocumentedOperation[] {
    const paths = (this.raw.paths ?? {}) as Record<string, JsonSchema>;
    return Object.entries(paths).flatMap(([path, item]) => {
      const shared = (item.parameters ?? []) as unknown[];
      return METHODS.filter((m) => item[m]).map((method) => {
        const pointer = `/paths/${escape(path)}/${method}`;
        return this.#operation(method, path, this.at(pointer), pointer, shared);
      });
    });
  }

  /** The value at a JSON pointer of the document. */
  at(pointer: string): JsonSchema {
    let value: unknown = this.raw;
    for (const token of pointer.split("/").slice(1)) {
      const key = token.replace(/~1/g, "/").replace(/~0/g, "~");
      if (typeof value !== "object" || value === null || !(key in value))
        throw new Error(`the document has nothing at ${pointer}`);
      value = (value as Record<string, unknown>)[key];
    }
    return value as JsonSchema;
  }

  /** Follows a node's $ref chain to the schema it names; siblings of $ref must be annotations. */
  resolve(node: SchemaNode): SchemaNode {
    const { $ref, ...siblings } = node.schema;
    const constraints = Object.keys(siblings).filter((k) => !ANNOTATIONS.has(k));
    if ($ref !== undefined && constraints.length)
      throw new Error(`${node.pointer}: $ref beside ${constraints.join(", ")} is unsupported`);
    const { value, pointer } = resolve(this.raw, node.schema, node.pointer);
    return { schema: value, pointer };
  }

  /** Whether a value is valid against the schema at a node. */
  validates(node: SchemaNode, value: unknown): boolean {
    return this.errors(node, value).length === 0;
  }

  /** What ajv finds wrong with a value against the schema at a node. */
  errors(node: SchemaNode, value: unknown): string[] {
    let validate = this.#validators.get(node.pointer);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `${DOCUMENT_ID}#${node.pointer}` });
      this.#validators.set(node.pointer, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message ?? ""}`);
  }

  #operation(
    method: string,
    path: string,
    raw: JsonSchema,
    pointer: string,
    shared: unknown[],
  ): DocumentedOperation {
    const own = (raw.parameters ?? []) as unknown[];
    const parameters = [
      ...shared.map((_, i) => this.#parameter(`/paths/${escape(path)}/parameters/${i}`)),
      ...own.map((_, i) => this.#parameter(`${pointer}/parameters/${i}`)),
    ];
    const security = (raw.security ?? this.raw.security ?? []) as object[];
    return {
      method,
      path,
      label: `${method.toUpperCase()} ${path}`,
      parameters,
      body: raw.requestBody ? this.#body(`${pointer}/requestBody`) : undefined,
      authRequired: security.length > 0 && security.every((s) => Object.keys(s).length > 0),
    };
  }

  #parameter(pointer: string): DocumentedParameter {
    const { schema: raw, pointer: at } = this.resolve({ schema: this.at(pointer), pointer });
    const place = raw.in as string;
    if (place !== "path" && place !== "query" && place !== "header")
      throw new Error(`${at}: parameters in ${place} are unsupported`);
    if (!raw.schema) throw new Error(`${at}: a parameter without a schema is unsupported`);
    if (raw.style !== undefined || raw.explode !== undefined || raw.allowReserved !== undefined)
      throw new Error(`${at}: parameter serialization options are unsupported`);
    return {
      name: raw.name as string,
      in: place,
      required: raw.required === true,
      node: { schema: raw.schema as JsonSchema, pointer: `${at}/schema` },
    };
  }

  #body(pointer: string): DocumentedOperation["body"] {
    const { schema: raw, pointer: at } = this.resolve({ schema: this.at(pointer), pointer });
    const types = Object.keys((raw.content ?? {}) as object);
    if (types.length !== 1) throw new Error(`${at}: a body with ${types.length} media types`);
    const mediaType = types[0]!;
    const schemaPointer = `${at}/content/${escape(mediaType)}/schema`;
    const node = { schema: this.at(schemaPointer), pointer: schemaPointer };
    return { mediaType, node, required: raw.required === true };
  }
}

/** Keywords that say nothing about which values are valid. */
export const ANNOTATIONS = new Set([
  "$schema",
  "$comment",
  "title",
  "description",
  "default",
  "example",
  "examples",
  "deprecated",
  "readOnly",
  "writeOnly",
]);
