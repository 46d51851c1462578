import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { generateSigningKeyPair, type PemKeyPair } from "@gavel/auth/key-pair";

/**
 * The local stack's token signing keys, made once and kept in .gavel/ (git-ignored) so
 * tokens stay valid across restarts. Production keys come from a Kubernetes Secret.
 */
export function devKeys(file: string): PemKeyPair {
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as PemKeyPair;
  const keys = generateSigningKeyPair();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}
