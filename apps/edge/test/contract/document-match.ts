/**
 * Finds what an OpenAPI document (the edge's, src/openapi/openapi.ts) says of one request: the
 * path item whose template matches the path the way the edge's router matches it, and
 * the operation for the method, or the document's answer to requests it lists no
 * operation for (`x-other-methods`, `x-unlisted-paths`).
 */
export type OpenApiDocument = Record<string, unknown>;
type PathItems = Record<string, Record<string, unknown>>;

export interface Documented {
  /** What the check names: "GET /v1/lots/{id}", "DELETE /v1/lots/{id} (x-other-methods)". */
  label: string;
  /** JSON pointer to the operation (or extension) in the document. */
  pointer: string;
  operation: { responses: Record<string, unknown> };
  /** HEAD: the GET's answers, without a body. */
  bodiless: boolean;
}

/** Express's matching: case-insensitive, one trailing slash ignored, params non-empty. */
export function matchPath(document: OpenApiDocument, rawPath: string): string | undefined {
  let path = rawPath.split(/[?#]/, 1)[0]!;
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  const segments = path.split("/");
  const candidates = Object.keys(document.paths as PathItems).filter((template) => {
    const parts = template.split("/");
    return (
      parts.length === segments.length &&
      parts.every((part, i) =>
        part.startsWith("{")
          ? segments[i] !== ""
          : part.toLowerCase() === segments[i]!.toLowerCase(),
      )
    );
  });
  // A literal segment wins over a parameter where both match (/v1/lots/import).
  const literals = (template: string) =>
    template.split("/").map((p) => (p.startsWith("{") ? 0 : 1));
  return candidates.sort((a, b) => compare(literals(b), literals(a)))[0];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

export function documented(document: OpenApiDocument, method: string, rawPath: string): Documented {
  const template = matchPath(document, rawPath);
  const item = (
    template ? (document.paths as PathItems)[template] : document["x-unlisted-paths"]
  ) as Record<string, { responses: Record<string, unknown> }>;
  const base = template ? `/paths/${escape(template)}` : "/x-unlisted-paths";
  const name = template ?? "(a path not listed)";
  const lower = method.toLowerCase();
  const own = lower === "head" && !item.head ? "get" : lower;
  if (item[own] && own !== "x-other-methods")
    return {
      label: `${method.toUpperCase()} ${name}`,
      pointer: `${base}/${own}`,
      operation: item[own],
      bodiless: lower === "head",
    };
  return {
    label: `${method.toUpperCase()} ${name} (x-other-methods)`,
    pointer: `${base}/x-other-methods`,
    operation: item["x-other-methods"]!,
    bodiless: lower === "head",
  };
}

/** A JSON pointer token (RFC 6901). */
export function escape(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Follows $refs from a value to what it stands for, with its pointer. */
export function resolve(
  document: OpenApiDocument,
  value: unknown,
  pointer: string,
): { value: Record<string, unknown>; pointer: string } {
  let current = value as Record<string, unknown>;
  let at = pointer;
  for (let hops = 0; typeof current?.$ref === "string"; hops++) {
    if (hops > 10) throw new Error(`a $ref loop at ${pointer}`);
    at = (current.$ref as string).replace(/^#/, "");
    current = at
      .split("/")
      .slice(1)
      .reduce<unknown>(
        (node, token) =>
          (node as Record<string, unknown> | undefined)?.[
            token.replace(/~1/g, "/").replace(/~0/g, "~")
          ],
        document,
      ) as Record<string, unknown>;
    if (current === undefined) throw new Error(`${pointer} refers to ${at}, which is not there`);
  }
  return { value: current, pointer: at };
}
