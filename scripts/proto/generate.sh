#!/usr/bin/env bash
# Generates the code of every language from proto/ with buf.gen.yaml: TypeScript into
# libs/proto/src/gen, Go into apps/settlement/gen. The Go plugins come from
# scripts/tools/go-tools.sh at their pinned versions; protoc-gen-es from node_modules.
# Then the Go copy of the NATS names (apps/settlement/gen/names, from libs/nats).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
PATH="$(scripts/tools/go-tools.sh):$root/node_modules/.bin:$PATH" buf generate --clean
"$root/node_modules/.bin/node" scripts/nats/go-names.ts
