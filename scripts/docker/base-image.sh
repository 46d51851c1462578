#!/usr/bin/env bash
# Builds the Node 24 base image the service images build on when no registry can be
# reached (these machines), and prints its name on stdout; logs go to stderr.
#
#   local/node:<version>-bookworm-slim = Debian bookworm (debootstrap minbase, from the
#   machine's own apt mirror) + the Node binary of the repo's `node` devDependency + npm
#   + a `node` user with uid/gid 1000, as in the official node:24-bookworm-slim.
#
# Built once per Node version (the engine keeps it). Needs root and `npm ci` done.
# Elsewhere, use the official image: scripts/docker/build-images.sh does by default.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
node_bin="$repo/node_modules/node/bin/node"
[[ -x "$node_bin" ]] || { echo "run npm ci first: $node_bin is missing" >&2; exit 1; }
version="$("$node_bin" --version)"
version="${version#v}"
image="local/node:${version}-bookworm-slim"

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "$image already built" >&2
  echo "$image"
  exit 0
fi

if ! command -v debootstrap >/dev/null; then
  echo "installing debootstrap (first time only)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends debootstrap >&2
fi

# The machine's Debian mirror (deb822 sources first, then the classic list).
mirror="$(grep -hsoP '^URIs:\s*\K\S+' /etc/apt/sources.list.d/*.sources | grep -v security | head -n1 || true)"
[[ -n "$mirror" ]] || mirror="$(grep -hsoP '^deb\s+\K\S+(?=\s+bookworm\s)' /etc/apt/sources.list | head -n1 || true)"
mirror="${mirror:-http://deb.debian.org/debian}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"
echo "debootstrap bookworm from $mirror (about half a minute)" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >&2

install -m 0755 "$node_bin" "$root/usr/local/bin/node"
npm_version="$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$repo/package.json")"
(cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null)
mkdir -p "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
# The machine's CA bundle: builds reach the npm registry through whatever TLS this
# machine trusts (an intercepting proxy's CA included).
mkdir -p "$root/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*

echo "importing $image" >&2
tar -C "$root" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  -c 'CMD ["node"]' - "$image" >&2
echo "$image"
