// `npm run graphql:breaking`: checks apps/bff/schema.graphql for changes that break
// existing clients, against the baseline that scripts/git-baseline.ts picks (main from a
// branch, the previous commit on main). Dangerous changes are printed as warnings.
// GAVEL_ALLOW_BREAKING_SCHEMA=1 lets an intended break through, loudly.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findBaseline, readAt, repoRoot } from "./git-baseline.ts";
import { InvalidSdlError, compareSchemas } from "./graphql-changes.ts";
import type { SchemaChanges } from "./graphql-changes.ts";

const schemaPath = "apps/bff/schema.graphql";
const allowBreaking = process.env.GAVEL_ALLOW_BREAKING_SCHEMA === "1";

const baseline = findBaseline(schemaPath);
if ("skip" in baseline) {
  console.log(`graphql:breaking: ${baseline.skip}`);
  process.exit(0);
}
const file = join(repoRoot, schemaPath);
if (!existsSync(file)) {
  fail(`${schemaPath} is gone; every client of the BFF would break.`);
}

console.log(`graphql:breaking: ${schemaPath} against ${baseline.ref}`);
const before = readAt(baseline.ref, schemaPath);
if (before === undefined) fail(`git show ${baseline.ref}:${schemaPath} failed`);
let changes: SchemaChanges;
try {
  changes = compareSchemas(
    { name: `${baseline.ref}:${schemaPath}`, body: before },
    { name: schemaPath, body: readFileSync(file, "utf8") },
  );
} catch (error) {
  if (error instanceof InvalidSdlError) fail(error.message);
  throw error;
}

for (const change of changes.dangerous) {
  console.warn(`  warning ${change.type}: ${change.description}`);
}
for (const change of changes.breaking) {
  console.error(`  BREAKING ${change.type}: ${change.description}`);
}
const summary = `${changes.breaking.length} breaking, ${changes.dangerous.length} dangerous`;
if (changes.breaking.length === 0) {
  console.log(`graphql:breaking: ok (${summary})`);
  process.exit(0);
}
if (allowBreaking) {
  console.warn(`
!!! graphql:breaking: ${summary}, let through by GAVEL_ALLOW_BREAKING_SCHEMA=1.
!!! Clients written against the schema at ${baseline.ref} fail on the changes above.
`);
  process.exit(0);
}
fail(`${summary} against ${baseline.ref}.
Clients already shipped (the web page, the mobile app) send operations written against
the old schema, and these changes would fail them. Instead:
  - add, do not change: a new field, argument or type next to the old one;
  - mark what should go with @deprecated(reason: "Use newField.") and remove it only once
    no client asks for it;
  - a new argument or input field must be nullable or have a default.
If this break is intended (and the clients are ready), run the check with
GAVEL_ALLOW_BREAKING_SCHEMA=1 (in hosted CI: the ci job's env in the same pull request,
taken out again after the merge); the changes are then printed as a warning.`);

function fail(message: string): never {
  console.error(`graphql:breaking: ${message}`);
  process.exit(1);
}
