#!/usr/bin/env bash
# Imports into the running local cluster's containerd every image the chart needs, as
# values-local.yaml names them (no registry is ever asked):
#   gavel-<app>:<appVersion>  saved from the Docker engine scripts/docker/build-images.sh
#                             built them in (build them first)
#   local/nats, local/jaeger  FROM scratch + the pinned static binaries of scripts/tools
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=SCRIPTDIR/cluster.env
source "$here/cluster.env"
# shellcheck source=SCRIPTDIR/../../scripts/tools/versions.env
source "$repo/scripts/tools/versions.env"

ctr=(ctr -a "$CLUSTER_RUN/containerd.sock" -n k8s.io)
"${ctr[@]}" version >/dev/null 2>&1 || { echo "no local cluster runs: start it with k8s/local/up.sh" >&2; exit 1; }
tag="${1:-$(grep -oP '^appVersion:\s*"?\K[^"\s]+' "$repo/helm/gavel/Chart.yaml")}"
work="$(mktemp -d /var/tmp/gavel-images.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# The binaries' images: the chart runs `nats-server` from the PATH (also for lame duck
# mode), and Jaeger as the image's entrypoint.
nats="$("$repo/scripts/tools/nats-server.sh")"
jaeger="$("$repo/scripts/tools/jaeger.sh")"
mkdir -p "$work/nats/usr/local/bin" "$work/jaeger/tmp"
cp "$nats" "$work/nats/usr/local/bin/nats-server"
cp "$jaeger" "$work/jaeger/jaeger"
chmod 1777 "$work/jaeger/tmp"
# The chart's Jaeger tag: Jaeger 2.x is published as module tags v1.x (versions.env).
jaeger_tag="$(awk '/^jaeger:/ { found = 1 } found && $1 == "tag:" { print $2; exit }' "$repo/helm/gavel/values-local.yaml")"
[[ -n "$jaeger_tag" ]] || { echo "helm/gavel/values-local.yaml names no jaeger.image.tag" >&2; exit 1; }
"$here/image-tar.sh" "local/nats:${NATS_SERVER_VERSION#v}" "$work/nats" "$work/nats.tar" '["nats-server"]'
"$here/image-tar.sh" "local/jaeger:$jaeger_tag" "$work/jaeger" "$work/jaeger.tar" '["/jaeger"]'

mapfile -t apps < <(docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^gavel-[a-z0-9]+:$tag\$" | sort)
((${#apps[@]} > 0)) || { echo "no gavel-*:$tag images in Docker: run scripts/docker/build-images.sh first" >&2; exit 1; }
echo "saving ${apps[*]}" >&2
docker save -o "$work/apps.tar" "${apps[@]}"

for archive in "$work"/*.tar; do
  "${ctr[@]}" images import "$archive" >/dev/null
done
echo "imported: $("${ctr[@]}" images ls -q | grep -v '^sha256:' | grep -E 'gavel-|local/' | tr '\n' ' ')" >&2
