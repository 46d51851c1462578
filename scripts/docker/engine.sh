#!/usr/bin/env bash
# Starts or stops a Docker engine for tests on a machine where none runs.
#   start: no-op if `docker info` answers; else install docker.io if needed and run dockerd
#          in the background with a config that touches no network settings (the machines
#          forbid bridges, iptables and private-range traffic; containers use --network host).
#   stop:  stops only a dockerd that this script started (its pid file exists); never another.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# State lives under the repo (ignored by git) unless GAVEL_STATE says otherwise; start and
# stop must agree on it whatever their working directory.
state="${GAVEL_STATE:-$repo/.gavel}/docker"
pidfile="$state/dockerd.pid"
log="$state/dockerd.log"

# /usr/local/bin/docker may be a newer client (28) than Debian's daemon (20.10, API 1.41).
# The CLI negotiates the API version down by itself, so nothing is pinned here; if a client
# ever refuses, export DOCKER_API_VERSION=1.41 (what `docker version` shows as the server's).
engine_up() { docker info >/dev/null 2>&1; }

start() {
  if engine_up; then
    echo "docker engine already running" >&2
    return 0
  fi
  if ! command -v dockerd >/dev/null; then
    echo "installing docker.io (dockerd missing)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q docker.io >&2
  fi
  mkdir -p "$state"
  # Exactly these settings: no docker0 bridge, no iptables/forwarding/masquerade rules.
  printf '%s\n' '{"bridge":"none","iptables":false,"ip-forward":false,"ip-masq":false}' \
    >"$state/daemon.json"
  echo "starting dockerd (log: $log)" >&2
  dockerd --config-file "$state/daemon.json" </dev/null >"$log" 2>&1 &
  local pid=$!
  # The pid file is the record that this script started the daemon (see stop).
  echo "$pid" >"$pidfile"
  for _ in $(seq 60); do
    if engine_up; then
      echo "docker engine started (pid $pid)" >&2
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 1
  done
  echo "dockerd did not become ready; last log lines:" >&2
  tail -n 20 "$log" >&2 || true
  stop
  return 1
}

stop() {
  if [[ ! -f "$pidfile" ]]; then
    echo "docker engine not started by this script; leaving it alone" >&2
    return 0
  fi
  local pid
  pid="$(cat "$pidfile")"
  # Guard against pid reuse: only signal the process if it is still a dockerd.
  if [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]]; then
    # dockerd stops its own managed containerd on SIGTERM; remember the children in case
    # SIGKILL is needed, since they would then be orphaned.
    local children
    children="$(cat /proc/"$pid"/task/*/children 2>/dev/null || true)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "dockerd (pid $pid) did not exit in 30 s; sending SIGKILL" >&2
      # shellcheck disable=SC2086 # word splitting of the pid list is intended
      kill -KILL "$pid" $children 2>/dev/null || true
    fi
    echo "docker engine stopped (pid $pid)" >&2
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
