#!/bin/sh
# `anvil` as ape-foundry, the harness's anvil chain and `make poc-env` start it: the real binary
# (.bin/anvil-bin, from npm) with its state cache in a folder of this run, removed when it stops.
# anvil writes the states it no longer keeps in memory under ~/.foundry/anvil/tmp and leaves them
# there when stopped: on a machine that runs the tests all day that filled the disk (69 GB).
real="$(dirname "$0")/anvil-bin"
for arg in "$@"; do
  case "$arg" in
    -V | --version | -h | --help) exec "$real" "$@" ;;
  esac
done
cache=$(mktemp -d "${TMPDIR:-/tmp}/flock-anvil.XXXXXX") || exit 1
"$real" --cache-path "$cache" "$@" &
pid=$!
# ape stops anvil with SIGINT (then SIGKILL after a timeout), `make poc-stop` with SIGTERM: either
# ends anvil with SIGTERM (a background child of a script ignores SIGINT), then the cache goes.
trap 'kill -TERM "$pid" 2>/dev/null' INT TERM HUP
status=0
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid"
  status=$?
done
rm -rf "$cache"
exit "$status"
