#!/usr/bin/env bash
# `make soak`: a standalone sidecar process under 1000 requests/s for 30 minutes (bench/src/soak/main.ts),
# reporting every request that did not come back 200 (target 0) and the sidecar's RSS growth after
# warm-up (target ≤ 5 %). Never part of `make test`. Exits 1 when a target is missed.
#
#   DURATION=1800   seconds of load (the published run is the default; `make soak DURATION=120` checks the harness)
#   RATE=1000       requests per second
#   SIDECAR=sidecar/bin/portcullis-sidecar   what is soaked: the shipped executable (Bun), or sidecar/dist/main.js (Node)
#
# A 30-minute run writes bench/results/soak-<date>.json and .md (the table for BENCHMARKS.md); shorter
# runs write them to .cache/bench/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$PATH"

VEGETA_VERSION=v12.13.0 # the version bench/run.sh uses
VEGETA=$ROOT/.cache/tools/vegeta-$VEGETA_VERSION/vegeta
DURATION=${DURATION:-1800}
RATE=${RATE:-1000}
SIDECAR=${SIDECAR:-sidecar/bin/portcullis-sidecar}

say() { echo "soak: $*" >&2; }

node --version | grep -q '^v24\.' || { say "expected Node 24 from node_modules/.bin (run make deps), got $(node --version)"; exit 1; }
for cmd in taskset go; do
  command -v "$cmd" >/dev/null || { say "$cmd is required"; exit 1; }
done
[[ $(nproc) -ge 2 ]] || { say "needs 2 cores (sidecar on core 0, load on core 1); this machine has $(nproc)"; exit 1; }
[[ -f $SIDECAR ]] || { say "$SIDECAR is missing: run make build"; exit 1; }

if [[ ! -x $VEGETA ]]; then
  say "building vegeta $VEGETA_VERSION from the Go module proxy into ${VEGETA#"$ROOT"/}"
  mkdir -p "$(dirname "$VEGETA")"
  GOBIN=$(dirname "$VEGETA") GOFLAGS=-mod=mod go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION"
fi

say "type-checking bench/ (tsc -p bench)"
tsc -p bench
say "load average now: $(cut -d' ' -f1-3 /proc/loadavg) — other work on the machine competes with the sidecar's core"
commit="$(git rev-parse --short HEAD)$(git status --porcelain -- sidecar/src shared/src | grep -q . && echo ' + uncommitted changes' || true)"
BENCH_VEGETA=$VEGETA taskset -c 1 node bench/src/soak/main.ts --duration-seconds "$DURATION" --rate "$RATE" --sidecar "$SIDECAR" --commit "$commit"
