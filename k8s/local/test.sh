#!/usr/bin/env bash
# npm run test:cluster: the chart on a real single-node Kubernetes built on this machine.
#   1. builds what it needs, before any test (first time: Kubernetes, etcd, CoreDNS about
#      9 minutes, Jaeger about 10, the images a few; then seconds), with progress lines;
#   2. starts the cluster (k8s/local/up.sh) and imports the images (load-images.sh);
#   3. runs the scenario (k8s/local/test/*.test.ts): helm install --wait, helm test, NATS,
#      the signing key, a trace, the fault suite's rounds on pods, helm uninstall;
#   4. always stops the cluster and checks that the host is as it was (down.sh).
# Needs root, Go, a Docker engine for the app images (started here if none runs) and:
#   apt-get install -y containerd runc containernetworking-plugins nftables iptables ipset gcc libc6-dev docker.io
# GAVEL_BASE_IMAGE: the images' Node base, "local" (made from Debian's files) by default,
# as no registry answers here; node:24-bookworm-slim where one does.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
# shellcheck source=SCRIPTDIR/cluster.env
source "$here/cluster.env"
logs="${GAVEL_STATE:-$repo/.gavel}/cluster"

if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then export PATH="/usr/local/go/bin:$PATH"; fi
fail() { echo "npm run test:cluster: $*" >&2; exit 1; }
cluster_preflight "npm run test:cluster" || exit 1
command -v go >/dev/null || fail "Go 1.26 is needed (https://go.dev/dl)"
command -v dockerd >/dev/null || command -v docker >/dev/null ||
  fail "Docker builds the app images: apt-get install -y docker.io"

t0=$SECONDS
step() { printf '\n==> %s (at %d s)\n' "$*" $((SECONDS - t0)) >&2; }

step "tools (built once per version)"
"$here/build.sh" >/dev/null
for tool in nats-server jaeger helm; do scripts/tools/$tool.sh >/dev/null; done

engine_started=""
cleanup() {
  local rc=$?
  set +e
  step "stopping the cluster"
  "$here/down.sh" || rc=1
  [[ -n "$engine_started" ]] && scripts/docker/engine.sh stop
  if [[ -f "$logs/measures.json" ]]; then
    echo "measured:" >&2
    # shellcheck disable=SC2016 # JavaScript, not shell
    node -e 'for (const [k, v] of Object.entries(require(process.argv[1]))) console.error(`  ${k}: ${v}`)' \
      "$logs/measures.json"
  fi
  echo "test:cluster $( ((rc == 0)) && echo passed || echo FAILED) in $((SECONDS - t0)) s" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "images"
if ! docker info >/dev/null 2>&1; then
  engine_started=1
  scripts/docker/engine.sh start
fi
mkdir -p "$logs"
if ! GAVEL_BASE_IMAGE="${GAVEL_BASE_IMAGE:-local}" scripts/docker/build-images.sh >/dev/null 2>"$logs/images.log"; then
  tail -n 30 "$logs/images.log" >&2
  fail "building the images failed (whole log: $logs/images.log)"
fi
echo "built the apps' images (log: $logs/images.log)" >&2

step "cluster"
"$here/up.sh"
"$here/load-images.sh"

step "the scenario"
rm -f "$logs/measures.json"
if ! vitest run --config k8s/local/vitest.config.ts; then
  echo "the scenario failed; the cluster as it was:" >&2
  kubectl=("$("$here/build.sh")/bin/kubectl")
  "${kubectl[@]}" get pods,pvc,events -A -o wide >&2 || true
  for pod in $("${kubectl[@]}" -n gavel get pods -o name 2>/dev/null); do
    echo "==== $pod" >&2
    "${kubectl[@]}" -n gavel logs "$pod" --all-containers --tail=40 >&2 || true
    # A container that crashed and was restarted: why it ended.
    if previous=$("${kubectl[@]}" -n gavel logs "$pod" --all-containers --previous --tail=40 2>/dev/null); then
      echo "==== $pod, the container before its restart" >&2
      echo "$previous" >&2
    fi
  done
  exit 1
fi
