#!/usr/bin/env bash
# Ensures a static nats-server of the pinned version exists in the tools cache and prints
# its path on stdout (logs go to stderr, so callers can do BIN=$(scripts/tools/nats-server.sh)).
# Built from its Go module because only the Go proxy is reachable (no release downloads);
# CGO_ENABLED=0 makes it one static file that a FROM scratch image can hold.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/versions.env
source "$here/versions.env"
# shellcheck source=SCRIPTDIR/progress.sh
source "$here/progress.sh"

tools="${GAVEL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/gavel/tools}"
dest="$tools/nats-server-$NATS_SERVER_VERSION"
bin="$dest/nats-server"

if [[ ! -x "$bin" ]]; then
  echo "building nats-server $NATS_SERVER_VERSION into $dest (first time only)" >&2
  mkdir -p "$tools"
  # Build into a temp dir beside the destination (same file system, so mv is atomic):
  # an interrupted build never leaves a half-written binary at the cached path.
  tmp="$(mktemp -d "$tools/.nats-server-build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  CGO_ENABLED=0 GOBIN="$tmp" GOFLAGS=-trimpath with_progress "nats-server $NATS_SERVER_VERSION" \
    go install "github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION" >&2
  mkdir -p "$dest"
  mv -f "$tmp/nats-server" "$bin"
fi

echo "$bin"
