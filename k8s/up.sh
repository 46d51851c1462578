#!/usr/bin/env bash
# Brings Gavel up on a local kind cluster: creates the cluster (k8s/kind-config.yaml, the
# ingress on localhost:8088), builds the app images and loads them into it, installs
# ingress-nginx and the chart (helm/gavel with values-kind.yaml), and waits until every
# pod is ready. Run it again to rebuild and upgrade in place; k8s/down.sh removes it all.
#
# Needs Docker (4 CPUs and 8 GiB for it are comfortable) and Go 1.26 (the settlement
# image's binary is compiled on the host, and kind $KIND_VERSION too unless it is on
# PATH); helm and kubectl come from scripts/tools/helm.sh.
# Environment: GAVEL_IMAGE_TAG (default: dev-<commit>, plus a timestamp when the tree has
# changes, so every build rolls out), GAVEL_SKIP_BUILD=1 to reuse images of that tag,
# GAVEL_NAMESPACE (gavel). Extra arguments go to `helm upgrade --install`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=SCRIPTDIR/../scripts/tools/versions.env
source scripts/tools/versions.env

cluster=gavel # the name in k8s/kind-config.yaml
namespace="${GAVEL_NAMESPACE:-gavel}"
release=gavel
log() { printf '\n==> %s\n' "$*" >&2; }

helm="$(scripts/tools/helm.sh)"
kubectl="$(dirname "$helm")/kubectl"

kind="$(command -v kind || true)"
if [[ -z "$kind" || "$("$kind" version | awk '{print $2}')" != "$KIND_VERSION" ]]; then
  tools="${GAVEL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/gavel/tools}"
  kind="$tools/kind-$KIND_VERSION/kind"
  if [[ ! -x "$kind" ]]; then
    log "building kind $KIND_VERSION from its Go module (first time only)"
    GOBIN="$(dirname "$kind")" go install "sigs.k8s.io/kind@$KIND_VERSION"
  fi
fi

if [[ -n "${GAVEL_IMAGE_TAG:-}" ]]; then
  tag="$GAVEL_IMAGE_TAG"
else
  tag="dev-$(git rev-parse --short HEAD)"
  [[ -z "$(git status --porcelain)" ]] || tag="$tag-$(date +%s)"
fi

if "$kind" get clusters | grep -qx "$cluster"; then
  log "kind cluster $cluster exists"
else
  log "creating kind cluster $cluster"
  "$kind" create cluster --config k8s/kind-config.yaml --wait 180s
fi
# Every command names the cluster's context: whatever context is current stays so.
context="kind-$cluster"

if [[ "${GAVEL_SKIP_BUILD:-}" != 1 ]]; then
  log "building the images, tag $tag"
  scripts/docker/build-images.sh "$tag"
fi
mapfile -t images < <(docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^gavel-[a-z0-9]+:$tag\$" | sort)
((${#images[@]} > 0)) || { echo "no gavel-*:$tag images; build them first" >&2; exit 1; }
log "loading ${images[*]} into kind"
"$kind" load docker-image --name "$cluster" "${images[@]}"

log "installing ingress-nginx $INGRESS_NGINX_VERSION"
"$kubectl" --context "$context" apply -f "https://raw.githubusercontent.com/kubernetes/ingress-nginx/$INGRESS_NGINX_VERSION/deploy/static/provider/kind/deploy.yaml"
"$kubectl" --context "$context" -n ingress-nginx rollout status deployment/ingress-nginx-controller --timeout=300s

log "installing the chart (release $release in namespace $namespace)"
"$helm" upgrade --install "$release" helm/gavel --kube-context "$context" \
  --namespace "$namespace" --create-namespace \
  --values helm/gavel/values-kind.yaml \
  --set image.tag="$tag" \
  --wait --timeout 10m "$@"

log "ready: http://localhost:8088/v1 (GraphQL at /graphql); the smoke test:"
echo "  $helm test $release --kube-context $context -n $namespace --logs" >&2
