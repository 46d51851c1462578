import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** What `--help` prints: the command, then each option with its default. */
export function usageOf(command: string, options: Options): string {
  const lines = Object.entries(options).map(([name, option]) => {
    const value = option.type === "string" ? " <value>" : "";
    const fallback = option.default === undefined ? "" : `  (default: ${String(option.default)})`;
    return `  --${name}${value}${fallback}`;
  });
  return [`usage: ${command} [options]`, ...lines].join("\n");
}

/** A bad option of `command`: one line saying what is wrong, then exit 2. */
export function optionError(command: string, message: string): never {
  process.stderr.write(`${command.replace(/ --$/, "")}: ${message} (--help lists the options)\n`);
  process.exit(2);
}

/**
 * node:util's parseArgs for a command a person types: `--help` prints the options and
 * exits 0; an unknown or malformed option is one line naming it, then exit 2, not a
 * stack trace. `fail` does the same for a value the command itself refuses.
 */
export function parseCommandLine<const T extends ParseArgsConfig & { options: Options }>(
  command: string,
  config: T,
): ReturnType<typeof parseArgs<T>> & { fail(message: string): never } {
  const options = { ...config.options, help: { type: "boolean", short: "h" } } as const;
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs({ ...config, options }) as ReturnType<typeof parseArgs<T>>;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS")) throw err;
    optionError(command, (err as Error).message);
  }
  const values = parsed.values as Record<string, unknown>;
  if (values.help) {
    process.stdout.write(`${usageOf(command, config.options)}\n`);
    process.exit(0);
  }
  delete values.help;
  return { ...parsed, fail: (message: string) => optionError(command, message) };
}
