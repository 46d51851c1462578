#!/usr/bin/env bash
# What `npm test` runs first: every tool the tests build from source, built once per
# version into the tools cache before any test starts (never inside a test's timeout),
# with progress lines; the first run on a new machine takes about 15 minutes (Jaeger is
# most of it), later runs a second. A missing prerequisite is one line saying what to do.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

need() { # need COMMAND WHAT-TO-DO
  command -v "$1" >/dev/null || { echo "npm test: $1 is missing: $2" >&2; exit 1; }
}
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="/usr/local/go/bin:$PATH"
fi
need go "install Go 1.26 (https://go.dev/dl); it builds settlement, nats-server and Jaeger"
need gcc "apt-get install -y gcc libc6-dev (go test -race needs cgo)"
chromium="${GAVEL_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium" ]] || {
  echo "npm test: no Chromium at $chromium: apt-get install -y chromium (or set GAVEL_CHROMIUM)" >&2
  exit 1
}

t0=$SECONDS
# nats-server: every package's NATS; the Go plugins: code generation and settlement's lint;
# Jaeger: the trace tests; helm and kubectl: the chart's tests.
"$here/nats-server.sh" >/dev/null
"$here/go-tools.sh" >/dev/null
"$here/jaeger.sh" >/dev/null
"$here/helm.sh" >/dev/null
echo "test tools ready ($((SECONDS - t0)) s)" >&2
