#!/usr/bin/env bash
# Deletes the kind cluster k8s/up.sh made, and everything in it (volumes included).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=SCRIPTDIR/../scripts/tools/versions.env
source "$root/scripts/tools/versions.env"

tools="${GAVEL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/gavel/tools}"
kind="$(command -v kind || echo "$tools/kind-$KIND_VERSION/kind")"
"$kind" delete cluster --name gavel
