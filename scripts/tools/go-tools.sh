#!/usr/bin/env bash
# Ensures the pinned Go tools exist in the tools cache and prints the folder that holds
# them, for PATH (logs go to stderr: PATH="$(scripts/tools/go-tools.sh):$PATH"):
#   protoc-gen-go and protoc-gen-connect-go, the local plugins buf.gen.yaml runs;
#   staticcheck, for apps/settlement's lint.
# Each version is built once from its Go module (only the Go proxy is reachable) into a
# folder named for the versions, so changing a pin in versions.env builds afresh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/versions.env
source "$here/versions.env"
# shellcheck source=SCRIPTDIR/progress.sh
source "$here/progress.sh"

tools="${GAVEL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/gavel/tools}"
dest="$tools/go-tools-pgg$PROTOC_GEN_GO_VERSION-cg$CONNECT_GO_VERSION-sc$STATICCHECK_VERSION"

if [[ ! -x "$dest/staticcheck" ]]; then
  echo "building Go tools into $dest (first time only)" >&2
  mkdir -p "$tools"
  # Into a temp dir beside the destination, then one rename: an interrupted build never
  # leaves a partial set at the cached path.
  tmp="$(mktemp -d "$tools/.go-tools-build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  for module in \
    "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION" \
    "connectrpc.com/connect/cmd/protoc-gen-connect-go@$CONNECT_GO_VERSION" \
    "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"; do
    CGO_ENABLED=0 GOBIN="$tmp" GOFLAGS=-trimpath with_progress "${module%@*}" go install "$module" >&2
  done
  rm -rf "$dest"
  mv "$tmp" "$dest"
  trap - EXIT
fi

echo "$dest"
