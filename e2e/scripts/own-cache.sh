#!/usr/bin/env bash
# Prepares a second cache folder for a control plane of its own (the API-server outage test freezes its
# kube-apiserver, so it cannot share the one the other e2e suites use): the binaries, their links and
# the Python venvs are the main cache's, linked; the cluster state is its own.
#   e2e/scripts/own-cache.sh <dir>     (run after install-tools.sh has filled the main cache)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
main="${PORTCULLIS_CACHE:-$root/.cache}"
dir=$1
mkdir -p "$dir"
for entry in "$main"/tools "$main"/bin "$main"/venv-*; do
  [[ -e $entry ]] && ln -sfn "$entry" "$dir/$(basename "$entry")"
done
