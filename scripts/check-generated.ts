// `generate:check` of libs/proto (run there as `node ../../scripts/check-generated.ts`):
// regenerates the code from proto/ (and the Go NATS names from libs/nats) and fails if
// that changed anything, so committed generated code can never drift from its sources.
// Plain Node 24 (type stripping), no dependencies.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

// Resolved from this file, not the working directory, which is libs/proto under turbo.
const root = join(import.meta.dirname, "..");
const gens = ["libs/proto/src/gen", "apps/settlement/gen"];
const gen = gens.join(" and ");

execFileSync(join(root, "scripts/proto/generate.sh"), { cwd: root, stdio: "inherit" });

const status = execFileSync("git", ["status", "--porcelain", "--", ...gens], {
  cwd: root,
  encoding: "utf8",
});
// Porcelain lines are "XY path": X is the index, Y the work tree. Only the work tree
// column (or "??", untracked) means generation changed something; a file that is staged
// but not yet committed ("A ") is not drift.
const changed = status
  .split("\n")
  .filter((line) => line.length > 3 && line[1] !== " ")
  .map((line) => line.slice(3));

if (changed.length > 0) {
  console.error(
    `Generated code in ${gen} is out of date with proto/ or libs/nats/src/names.ts:\n` +
      changed.map((file) => `  ${file}`).join("\n") +
      "\nrun npm run generate and commit",
  );
  process.exit(1);
}
console.log(`${gen} is up to date`);
