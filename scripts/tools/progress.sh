# Sourced by the build scripts in scripts/tools and k8s/local. A cold Go build of a large
# module prints nothing for minutes; these lines say it is still working.
# shellcheck shell=bash

# with_progress NAME CMD...: runs CMD, printing a line on stderr every 30 s while it
# runs and one with the time it took; returns CMD's exit code.
with_progress() {
  local name=$1 t0=$SECONDS rc=0 ticker
  shift
  echo "$name: building" >&2
  (
    while sleep 30; do echo "$name: still building ($((SECONDS - t0)) s)" >&2; done
  ) &
  ticker=$!
  "$@" || rc=$?
  kill "$ticker" 2>/dev/null
  wait "$ticker" 2>/dev/null || true
  if ((rc == 0)); then
    echo "$name: built in $((SECONDS - t0)) s" >&2
  else
    echo "$name: build failed (exit $rc) after $((SECONDS - t0)) s" >&2
  fi
  return "$rc"
}
