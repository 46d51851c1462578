#!/usr/bin/env bash
# Builds the image of every app, gavel-<app>:<tag>: the TypeScript apps from
# docker/node-app.Dockerfile, the Go ones from docker/go-app.Dockerfile. Prints the names
# on stdout (logs on stderr).
#
#   scripts/docker/build-images.sh [tag]        # tag: the chart's appVersion by default
#
# GAVEL_BASE_IMAGE picks the Node base: the official node:24-bookworm-slim by default;
# "local" builds and uses one made from Debian's files (scripts/docker/base-image.sh),
# for machines that reach no registry, as CI here does. GAVEL_APPS limits the apps
# (comma or space separated, e.g. GAVEL_APPS=settlement). The Go apps need Go on the host.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
tag="${1:-$(grep -oP '^appVersion:\s*"?\K[^"\s]+' helm/gavel/Chart.yaml 2>/dev/null || echo dev)}"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"

# Ports: the defaults of libs/config/src/ports.ts.
# TypeScript: app  health-port-variable  default-health-port
node_apps=(
  "identity ADMIN_PORT 9103"
  "catalog ADMIN_PORT 9101"
  "bidding ADMIN_PORT 9102"
  "notifier PORT 9105"
  "edge PORT 8080"
  "bff PORT 4000"
  "push PORT 8090"
)
# Go: app  port  admin-port
go_apps=(
  "settlement 7104 9104"
)

wanted() { [[ -z "${GAVEL_APPS:-}" || " ${GAVEL_APPS//,/ } " =~ \ $1\  ]]; }

build_node() {
  local app=$1 var=$2 port=$3 image="gavel-$1:$tag"
  echo "building $image on $base" >&2
  # --network host: the engine here has no bridge; RUN steps reach the registry directly.
  docker build --network host -f docker/node-app.Dockerfile \
    --build-arg "BASE_IMAGE=$base" --build-arg "APP=$app" \
    --build-arg "HEALTH_PORT_VAR=$var" --build-arg "HEALTH_PORT=$port" \
    --build-arg "VERSION=$tag" --build-arg "REVISION=$revision" \
    -t "$image" . >&2
  echo "$image"
}

# The binary is compiled here, as apps/<app>'s `npm run build` does, for the engine's
# platform, into a context that holds nothing else (the repo would be a large, slow one).
# A subshell, so set -e stops it at the first failure and its trap removes the context.
build_go() (
  app=$1 port=$2 admin=$3 image="gavel-$1:$tag"
  arch="$(docker version --format '{{.Server.Arch}}')"
  ctx="$(mktemp -d)"
  trap 'rm -rf "$ctx"' EXIT
  echo "building apps/$app for linux/$arch, then $image" >&2
  (cd "apps/$app" && CGO_ENABLED=0 GOOS=linux GOARCH="$arch" go build -trimpath -o "$ctx/app" .) >&2
  docker build --network host -f docker/go-app.Dockerfile \
    --build-arg "APP=$app" --build-arg "PORT=$port" --build-arg "ADMIN_PORT=$admin" \
    --build-arg "VERSION=$tag" --build-arg "REVISION=$revision" \
    -t "$image" "$ctx" >&2
  echo "$image"
)

base=""
for entry in "${node_apps[@]}"; do
  read -r app var port <<<"$entry"
  wanted "$app" || continue
  if [[ -z "$base" ]]; then
    base="${GAVEL_BASE_IMAGE:-node:24-bookworm-slim}"
    if [[ "$base" == local ]]; then base="$(scripts/docker/base-image.sh)"; fi
  fi
  build_node "$app" "$var" "$port"
done
for entry in "${go_apps[@]}"; do
  read -r app port admin <<<"$entry"
  wanted "$app" || continue
  build_go "$app" "$port" "$admin"
done
