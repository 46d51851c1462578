import type { z } from "zod";
import { validationProblem } from "./problem.ts";

/**
 * Parses one part of a request with its schema; a failure is a 400 problem naming
 * every bad field (`body.amount.amount_minor`, `query.limit`).
 */
export function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: "body" | "query" | "path",
): z.infer<S> {
  const result = schema.safeParse(value ?? (where === "body" ? undefined : {}));
  if (result.success) return result.data;
  throw validationProblem(
    result.error.issues.map((issue) => {
      const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
      const path = [where, ...issue.path.map(String), ...(keys.length === 1 ? keys : [])].join(".");
      const message =
        keys.length > 1
          ? `unknown fields ${keys.join(", ")}`
          : keys.length
            ? "unknown field"
            : issue.message;
      return { field: path, message };
    }),
  );
}
