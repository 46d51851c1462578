#!/usr/bin/env bash
# Ensures the local cluster's pinned binaries and system images exist in the tools cache
# and prints that folder on stdout (logs and progress on stderr):
#   bin/     kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy,
#            kubectl, kubeadm (Kubernetes), etcd, coredns, kube-router (the NetworkPolicy
#            engine): static, from the Go module proxy
#   images/  pause.tar (Kubernetes' own pause.c, gcc -static), coredns.tar and
#            traefik.tar (the Ingress controller), as `docker save` archives for
#            containerd to import
# Built once per version set (versions.env): about 20 minutes cold on two cores (Traefik's
# 2 GB of modules download while Kubernetes compiles), then nothing. Needs Go and gcc
# (apt-get install gcc libc6-dev).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools_here="$here/../../scripts/tools"
# shellcheck source=SCRIPTDIR/../../scripts/tools/versions.env
source "$tools_here/versions.env"
# shellcheck source=SCRIPTDIR/../../scripts/tools/progress.sh
source "$tools_here/progress.sh"

tools="${GAVEL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/gavel/tools}"
dest="$tools/kubernetes-$KUBERNETES_VERSION-etcd-$ETCD_VERSION-coredns-$COREDNS_VERSION"
dest+="-kube-router-$KUBE_ROUTER_VERSION-traefik-$TRAEFIK_VERSION"

if [[ -f "$dest/complete" ]]; then
  echo "$dest"
  exit 0
fi

for pin in "k8s.io/kubernetes $KUBERNETES_VERSION" "go.etcd.io/etcd/server/v3 $ETCD_VERSION"; do
  grep -q "^	$pin\$" "$here/go/go.mod" || { echo "k8s/local/go/go.mod does not require $pin (versions.env)" >&2; exit 1; }
done
grep -q "coredns/coredns $COREDNS_VERSION\$" "$here/coredns/go.mod" ||
  { echo "k8s/local/coredns/go.mod does not require coredns $COREDNS_VERSION (versions.env)" >&2; exit 1; }
grep -q "kube-router/v2 $KUBE_ROUTER_VERSION\$" "$here/kube-router/go.mod" ||
  { echo "k8s/local/kube-router/go.mod does not require kube-router $KUBE_ROUTER_VERSION (versions.env)" >&2; exit 1; }
command -v go >/dev/null || { echo "Go 1.26 is needed to build the cluster (https://go.dev/dl)" >&2; exit 1; }
command -v gcc >/dev/null || { echo "gcc is needed for the pause image: apt-get install -y gcc libc6-dev" >&2; exit 1; }

echo "building Kubernetes $KUBERNETES_VERSION, etcd $ETCD_VERSION, CoreDNS $COREDNS_VERSION, kube-router $KUBE_ROUTER_VERSION and Traefik $TRAEFIK_VERSION into $dest (first time only, about 20 minutes on two cores)" >&2
mkdir -p "$tools"
# Into a temp dir beside the destination, then one rename: an interrupted build never
# leaves a partial set at the cached path.
tmp="$(mktemp -d "$tools/.kubernetes-build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/images"

export CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false -mod=readonly"
# What `kubectl version` and the API server report, as a release build would.
minor="${KUBERNETES_VERSION#v1.}"
minor="${minor%%.*}"
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
done
k8s_ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"

# Traefik is built in a copy of its module, which honours its replace directives (go
# install does not). Its modules (about 2 GB, network-bound) download in the background
# while Kubernetes compiles (CPU-bound). The module has no dashboard build: an empty page
# stands in for the files webui/embed.go embeds.
traefik_src="$tmp/traefik-src"
(
  src="$(go mod download -json "github.com/traefik/traefik/v3@$TRAEFIK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  cp -r "$src" "$traefik_src" && chmod -R u+w "$traefik_src"
  mkdir -p "$traefik_src/webui/static"
  echo '<!doctype html><title>Traefik</title><p>No dashboard in this build.</p>' >"$traefik_src/webui/static/index.html"
  cd "$traefik_src" && go list -deps ./cmd/traefik >/dev/null
) >"$tmp/traefik-download.log" 2>&1 &
traefik_download=$!
trap 'pkill -P "$traefik_download" 2>/dev/null; kill "$traefik_download" 2>/dev/null; wait; rm -rf "$tmp"' EXIT

# kube-apiserver first: it compiles most of the packages the others then reuse.
(
  cd "$here/go"
  with_progress "go mod download (kubernetes, etcd)" go mod download
  for cmd in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl kubeadm; do
    with_progress "$cmd" go build -ldflags "$k8s_ldflags" -o "$tmp/bin/$cmd" "k8s.io/kubernetes/cmd/$cmd"
  done
  with_progress etcd go build -ldflags "-s -w" -o "$tmp/bin/etcd" ./cmd/etcd
)
(
  cd "$here/coredns"
  with_progress coredns go build -ldflags "-s -w" -o "$tmp/bin/coredns" .
)
(
  cd "$here/kube-router"
  with_progress kube-router go build -o "$tmp/bin/kube-router" \
    -ldflags "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION" \
    github.com/cloudnativelabs/kube-router/v2/cmd/kube-router
)
if ! with_progress "traefik's modules" wait "$traefik_download"; then
  tail -n 20 "$tmp/traefik-download.log" >&2
  exit 1
fi
(
  cd "$traefik_src"
  with_progress traefik go build -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" \
    -o "$tmp/traefik" ./cmd/traefik
)

# The pause image: Kubernetes' own pause.c, from the module just downloaded.
pause_c="$(cd "$here/go" && go env GOMODCACHE)/k8s.io/kubernetes@$KUBERNETES_VERSION/build/pause/linux/pause.c"
mkdir -p "$tmp/rootfs/pause" "$tmp/rootfs/coredns" "$tmp/rootfs/traefik"
gcc -Os -Wall -Werror -static -DVERSION="$KUBERNETES_VERSION-gavel" -o "$tmp/rootfs/pause/pause" "$pause_c"
"$here/image-tar.sh" registry.k8s.io/pause:3.10.1 "$tmp/rootfs/pause" "$tmp/images/pause.tar" '["/pause"]'
cp "$tmp/bin/coredns" "$tmp/rootfs/coredns/coredns"
"$here/image-tar.sh" "local/coredns:${COREDNS_VERSION#v}" "$tmp/rootfs/coredns" "$tmp/images/coredns.tar" '["/coredns"]'
mv "$tmp/traefik" "$tmp/rootfs/traefik/traefik"
"$here/image-tar.sh" "local/traefik:${TRAEFIK_VERSION#v}" "$tmp/rootfs/traefik" "$tmp/images/traefik.tar" '["/traefik"]'
rm -rf "$tmp/rootfs" "$traefik_src"

touch "$tmp/complete"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "$dest"
