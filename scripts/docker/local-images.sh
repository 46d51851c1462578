#!/usr/bin/env bash
# Builds the images tests need when no container registry is reachable, and prints their
# names on stdout. local/nats:<version> is FROM scratch + the static nats-server built by
# scripts/tools/nats-server.sh, so it runs the same release as the binary-mode tests.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/../tools/versions.env
source "$here/../tools/versions.env"

image="local/nats:${NATS_SERVER_VERSION#v}"

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "$image already built" >&2
else
  bin="$("$here/../tools/nats-server.sh")"
  # A temp build context holding only the binary: the repo would be a large, slow context.
  ctx="$(mktemp -d)"
  trap 'rm -rf "$ctx"' EXIT
  cp "$bin" "$ctx/nats-server"
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY nats-server /nats-server
EXPOSE 4222
ENTRYPOINT ["/nats-server"]
DOCKERFILE
  # --network host: the engine here has no bridge, so builds must not ask for one.
  docker build --network host -t "$image" "$ctx" >&2
fi

echo "$image"
