// `generate:check` of libs/proto (run there as `node ../../scripts/check-generated.ts`):
// regenerates the code from proto/ (and the Go NATS names from libs/nats) into a scratch
// directory and fails if it differs from the files in the repository, so generated code
// can never drift from its sources. It never writes into the repository: turbo runs it
// beside typecheck and lint, which read those files. Plain Node 24, no dependencies.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Resolved from this file, not the working directory, which is libs/proto under turbo.
const root = join(import.meta.dirname, "..");
const gens = ["libs/proto/src/gen", "apps/settlement/gen"];
const gen = gens.join(" and ");

/** The files under dir, as paths relative to it (none when it does not exist). */
const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    : [];

const scratch = mkdtempSync(join(tmpdir(), "gavel-generate-"));
const changed: string[] = [];
try {
  execFileSync(join(root, "scripts/proto/generate.sh"), [scratch], { cwd: root, stdio: "inherit" });
  for (const dir of gens) {
    const fresh = join(scratch, dir);
    const committed = join(root, dir);
    const files = new Set([...filesUnder(fresh), ...filesUnder(committed)]);
    for (const file of [...files].sort()) {
      const [a, b] = [join(fresh, file), join(committed, file)];
      if (!existsSync(a) || !existsSync(b) || !readFileSync(a).equals(readFileSync(b))) {
        changed.push(join(dir, file));
      }
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

if (changed.length > 0) {
  console.error(
    `Generated code in ${gen} is out of date with proto/ or libs/nats/src/names.ts:\n` +
      changed.map((file) => `  ${file}`).join("\n") +
      "\nrun npm run generate and commit",
  );
  process.exit(1);
}
console.log(`${gen} is up to date`);
