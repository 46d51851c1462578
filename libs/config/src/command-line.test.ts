import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { usageOf } from "./command-line.ts";

const script = `
import { parseCommandLine } from "${new URL("./command-line.ts", import.meta.url).pathname}";
const { values, fail } = parseCommandLine("try", {
  options: { runs: { type: "string", default: "3" }, idle: { type: "boolean" } },
});
if (!(Number(values.runs) >= 1)) fail("--runs must be 1 or more");
console.log(JSON.stringify(values));
`;

function run(...args: string[]) {
  return spawnSync(process.execPath, ["--input-type=module", "-e", script, "--", ...args], {
    encoding: "utf8",
  });
}

describe("parseCommandLine", () => {
  it("parses the options it is given", () => {
    const result = run("--runs", "5", "--idle");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ runs: "5", idle: true });
  });

  it("answers an unknown option with one line and exit 2", () => {
    const result = run("--rnus", "5");
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^try: .*'--rnus'.*--help lists the options/);
  });

  it("answers a value the command refuses with one line and exit 2", () => {
    const result = run("--runs", "0");
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("try: --runs must be 1 or more (--help lists the options)\n");
    expect(result.stdout).toBe("");
  });

  it("prints the options and their defaults for --help", () => {
    const result = run("--help");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      usageOf("try", { runs: { type: "string", default: "3" }, idle: { type: "boolean" } }) + "\n",
    );
    expect(result.stdout).toContain("--runs <value>  (default: 3)");
  });
});
