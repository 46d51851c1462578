import { z } from "zod";

/**
 * min to max printable characters (no control characters), not counting the white space
 * around them, which the services trim before they count (identity's display names, the
 * catalog's titles). One pattern says it all, so the document states exactly it; with
 * the u flag (as JSON Schema validators read patterns) it counts code points, as the
 * services and zod's .min/.max do.
 */
export function printable(min: number, max: number) {
  const edge = String.raw`[^\s\p{Cc}]`;
  const inner = String.raw`[^\p{Cc}]`;
  const body =
    min >= 2
      ? `${edge}${inner}{${min - 2},${max - 2}}${edge}`
      : `${edge}(?:${inner}{0,${max - 2}}${edge})?`;
  return z
    .string()
    .regex(
      new RegExp(String.raw`^\s*${body}\s*$`, "u"),
      `must be ${min} to ${max} printable characters`,
    )
    .describe(
      `${min} to ${max} printable characters (no control characters), not counting white space around them`,
    );
}
