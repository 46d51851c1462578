import { readdirSync, readFileSync } from "node:fs";
import { expect, test } from "vitest";

const templates = new URL("../gavel/templates/", import.meta.url);

/**
 * A hash cut to hex digits is sometimes all digits, or digits around one `e`, which YAML
 * reads as a number (8e12345678901234 is Infinity, then null in JSON), and Kubernetes
 * refuses an annotation that is not a string. A random secret in the hashed input made
 * that a one-in-a-few-hundred install failure; every hash must be quoted.
 */
test("every hash a template writes is quoted, so YAML always reads a string", () => {
  const unquoted = readdirSync(templates)
    .filter((name) => name.endsWith(".yaml"))
    .flatMap((name) =>
      readFileSync(new URL(name, templates), "utf8")
        .split("\n")
        .filter((line) => /sha256sum/.test(line) && !/\|\s*quote\s*}}/.test(line))
        .map((line) => `${name}: ${line.trim()}`),
    );
  expect(unquoted).toEqual([]);
});
