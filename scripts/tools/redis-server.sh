#!/usr/bin/env bash
# Ensures Debian's redis-server is installed and prints its path on stdout (logs go to
# stderr, so callers can do BIN=$(scripts/tools/redis-server.sh)). Only the Socket.IO
# comparison in bench/push-fanout.bench.ts needs it; nothing of Gavel's does.
# The bench starts its own instance on a free port without persistence, so the package's
# system service is neither needed nor started here.
set -euo pipefail

if bin="$(command -v redis-server)"; then
  echo "$bin"
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  cat >&2 <<'MSG'
redis-server is not installed. Install Debian's package as root:
  sudo apt-get update && sudo apt-get install -y --no-install-recommends redis-server
or put any redis-server 6+ on PATH (the bench only needs the binary).
MSG
  exit 1
fi

echo "installing Debian's redis-server with apt (first time only)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends redis-server >&2
command -v redis-server
