#!/usr/bin/env bash
# image-tar.sh NAME:TAG ROOTFS_DIR OUT.tar ENTRYPOINT_JSON
# Writes a one-layer image archive in the `docker save` format from a folder, with no
# Docker engine and no registry: containerd imports it (ctr images import OUT.tar).
# Used for the images that hold one static binary: pause, CoreDNS, NATS, Jaeger.
set -euo pipefail

name=$1 rootfs=$2 out=$3 entrypoint=$4
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Fixed owner and times, so the same files give the same image id.
tar -C "$rootfs" --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -cf "$work/layer.tar" .
layer="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
mkdir "$work/$layer"
mv "$work/layer.tar" "$work/$layer/layer.tar"
cat >"$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Entrypoint":$entrypoint,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"WorkingDir":"/"},
 "rootfs":{"type":"layers","diff_ids":["sha256:$layer"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"k8s/local/image-tar.sh"}]}
JSON
config="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
mv "$work/config.json" "$work/$config.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]\n' "$config" "$name" "$layer" >"$work/manifest.json"
tar -C "$work" -cf "$out" manifest.json "$config.json" "$layer"
echo "image $name: $out ($(du -h "$out" | cut -f1))" >&2
