#!/usr/bin/env bash
# Generates the code of every language from proto/ with buf.gen.yaml: TypeScript into
# libs/proto/src/gen, Go into apps/settlement/gen. The Go plugins come from
# scripts/tools/go-tools.sh at their pinned versions; protoc-gen-es from node_modules.
# Then the Go copy of the NATS names (apps/settlement/gen/names, from libs/nats).
# Usage: generate.sh [BASE]: writes under BASE instead of the repository (generate:check
# generates into a scratch directory, so it never rewrites files other tasks are reading).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
base="${1:-$root}"
cd "$root"
PATH="$(scripts/tools/go-tools.sh):$root/node_modules/.bin:$PATH" buf generate --clean --output "$base"
"$root/node_modules/.bin/node" scripts/nats/go-names.ts "$base"
