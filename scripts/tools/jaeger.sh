#!/usr/bin/env bash
# Ensures a Jaeger v2 binary of the pinned version exists in the tools cache and prints
# its path on stdout (logs go to stderr, so callers can do BIN=$(scripts/tools/jaeger.sh)).
# Built from its Go module because only the Go proxy is reachable (no release downloads
# or images). Run with no config it is an all-in-one with memory storage: OTLP on
# 4317/4318, query API on 16686. Built this way its UI is a placeholder page (the UI
# assets are not part of the module); the query API (/api/traces, /api/v3/traces) is whole.
# The first build compiles a large module graph: minutes on two cores, once per version.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/versions.env
source "$here/versions.env"
# shellcheck source=SCRIPTDIR/progress.sh
source "$here/progress.sh"

tools="${GAVEL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/gavel/tools}"
dest="$tools/jaeger-$JAEGER_VERSION"
bin="$dest/jaeger"

if [[ ! -x "$bin" ]]; then
  echo "building jaeger $JAEGER_VERSION into $dest (first time only, takes minutes)" >&2
  mkdir -p "$tools"
  # Build into a temp dir beside the destination (same file system, so mv is atomic):
  # an interrupted build never leaves a half-written binary at the cached path.
  tmp="$(mktemp -d "$tools/.jaeger-build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  # `go install module/cmd/jaeger@version` refuses this module: its go.mod carries a
  # replace directive. So fetch the module (checksum-verified by the Go proxy and sumdb)
  # and build inside it, as its own main module, with its own go.sum.
  module="github.com/jaegertracing/jaeger@v$JAEGER_VERSION"
  src="$(go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$src" ]] || { echo "could not download $module" >&2; exit 1; }
  (cd "$src" && CGO_ENABLED=0 GOFLAGS="-trimpath -mod=readonly" with_progress "jaeger $JAEGER_VERSION" \
    go build -ldflags "-X github.com/jaegertracing/jaeger/internal/version.latestVersion=v$JAEGER_VERSION" \
    -o "$tmp/jaeger" ./cmd/jaeger) >&2
  mkdir -p "$dest"
  mv -f "$tmp/jaeger" "$bin"
fi

echo "$bin"
