import type { z } from "zod";

/** Thrown by parseConfig; its message names every wrong variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

/**
 * Parses environment variables with a zod schema whose keys are the variable names.
 * Collects every problem instead of stopping at the first.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    const given = typeof issue.path[0] === "string" ? env[issue.path[0]] : undefined;
    const shown = given === undefined ? "not set" : `got ${JSON.stringify(redact(name, given))}`;
    return `${name}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(problems);
}

/**
 * parseConfig for a process entry point: a bad setting stops the process with exit
 * code 78 (EX_CONFIG) and the list of problems on stderr.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env = process.env): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
}

function redact(name: string, value: string): string {
  return /KEY|PASSWORD|SECRET|TOKEN/i.test(name) ? "<redacted>" : value;
}
