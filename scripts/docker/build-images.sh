#!/usr/bin/env bash
# Builds the image of every TypeScript app, gavel-<app>:<tag>, from
# docker/node-app.Dockerfile, and prints the names on stdout (logs on stderr).
#
#   scripts/docker/build-images.sh [tag]        # tag: the chart's appVersion by default
#
# GAVEL_BASE_IMAGE picks the Node base: the official node:24-bookworm-slim by default;
# "local" builds and uses one made from Debian's files (scripts/docker/base-image.sh),
# for machines that reach no registry, as CI here does. GAVEL_APPS limits the apps.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
tag="${1:-$(grep -oP '^appVersion:\s*"?\K[^"\s]+' helm/gavel/Chart.yaml 2>/dev/null || echo dev)}"

base="${GAVEL_BASE_IMAGE:-node:24-bookworm-slim}"
if [[ "$base" == local ]]; then base="$(scripts/docker/base-image.sh)"; fi

# app  health-port-variable  default-health-port (libs/config/src/ports.ts)
apps=(
  "identity ADMIN_PORT 9103"
  "catalog ADMIN_PORT 9101"
  "bidding ADMIN_PORT 9102"
  "notifier PORT 9105"
  "edge PORT 8080"
  "bff PORT 4000"
  "push PORT 8090"
)
for entry in "${apps[@]}"; do
  read -r app var port <<<"$entry"
  if [[ -n "${GAVEL_APPS:-}" && ! " ${GAVEL_APPS//,/ } " =~ \ $app\  ]]; then continue; fi
  image="gavel-$app:$tag"
  echo "building $image on $base" >&2
  # --network host: the engine here has no bridge; RUN steps reach the registry directly.
  docker build --network host -f docker/node-app.Dockerfile \
    --build-arg "BASE_IMAGE=$base" --build-arg "APP=$app" \
    --build-arg "HEALTH_PORT_VAR=$var" --build-arg "HEALTH_PORT=$port" \
    -t "$image" . >&2
  echo "$image"
done
