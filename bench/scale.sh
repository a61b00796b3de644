#!/usr/bin/env bash
# `make scale`: N cluster-mode sidecars against a kube-apiserver + etcd of the bench's own, N growing in
# steps, measuring what the control plane pays and the revocation latency (bench/src/scale/main.ts), with
# a linear fit extrapolated to 5,000 pods. Never part of `make test` or `make bench`. Each sidecar is ~65 MiB
# RSS but ~17 MiB PSS (the copies share the executable's pages); the run stops adding pods before the
# machine's available memory would fall below MIN_FREE_GIB.
#
#   STEPS=10,25,50,100,200,250   pod counts (the published run); `make scale STEPS=2,4 WINDOW=30` checks the harness
#   WINDOW=120               seconds measured at each step, after SETTLE=20
#   REVIEW_INTERVAL=         the sidecars' --identity-review-interval-seconds ('' : not passed, the sidecar's default, 900 s ± 10 %)
#   VARIANT_INTERVAL=60      one more window at the largest N with every sidecar on this review interval ('' : none);
#                            the difference prices one TokenReview. With the 900 s default, use WINDOW=900 or more:
#                            a shorter window sees no periodic review (ADR 7). The whole run must end before the
#                            pods' 3600 s tokens do (nothing rotates them here): 3 steps of WINDOW=900 and no variant.
#   MIN_FREE_GIB=4
#   PUBLISH=auto             auto: a run whose last step has ≥ 100 pods writes to bench/results; 1: always; 0: never
#
# The control plane is its own (cache .cache/scale with the main cache's binaries linked, ports 18443,
# 14379, 14380; override with SCALE_CACHE / SCALE_APISERVER_PORT / …), started and stopped by this script,
# so no other run's control plane is touched. A run whose last step has ≥ 100 pods writes
# bench/results/scale-<date>-review-<interval>s.json and .md (BENCHMARKS.md shows every published run); smaller
# runs write to .cache/bench/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$PATH"

STEPS=${STEPS:-10,25,50,100,200,250}
WINDOW=${WINDOW:-120}
SETTLE=${SETTLE:-20}
REVIEW_INTERVAL=${REVIEW_INTERVAL:-}
VARIANT_INTERVAL=${VARIANT_INTERVAL-60}
MIN_FREE_GIB=${MIN_FREE_GIB:-4}
SIDECAR=${SIDECAR:-sidecar/bin/portcullis-sidecar}
CACHE=${SCALE_CACHE:-$ROOT/.cache/scale}
export PORTCULLIS_APISERVER_PORT=${SCALE_APISERVER_PORT:-18443}
export PORTCULLIS_ETCD_PORT=${SCALE_ETCD_PORT:-14379}
export PORTCULLIS_ETCD_PEER_PORT=${SCALE_ETCD_PEER_PORT:-14380}
unset PORTCULLIS_KEEP_CLUSTER

say() { echo "scale: $*" >&2; }

node --version | grep -q '^v24\.' || { say "expected Node 24 from node_modules/.bin (run make deps), got $(node --version)"; exit 1; }
[[ -f $SIDECAR ]] || { say "$SIDECAR is missing: run make build"; exit 1; }
[[ -f e2e/dist/cluster/main.js ]] || { say "e2e/dist is missing: run make build"; exit 1; }

# The binaries and venvs are built once, in the main cache (a no-op when they are there), then linked.
PORTCULLIS_CACHE=${PORTCULLIS_CACHE:-$ROOT/.cache} bash e2e/scripts/install-tools.sh >/dev/null
PORTCULLIS_CACHE=${PORTCULLIS_CACHE:-$ROOT/.cache} bash e2e/scripts/own-cache.sh "$CACHE"
export PORTCULLIS_CACHE=$CACHE
# Never reuse a control plane a previous, interrupted run left: its counters and caches would skew the first step.
node e2e/dist/cluster/main.js down >/dev/null 2>&1 || true
trap 'node e2e/dist/cluster/main.js down >/dev/null 2>&1 || true' EXIT

say "type-checking bench/ (tsc -p bench)"
tsc -p bench
say "load average now: $(cut -d' ' -f1-3 /proc/loadavg); $(awk '/MemAvailable/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) available"
commit="$(git rev-parse --short HEAD)$(git status --porcelain -- sidecar/src shared/src | grep -q . && echo ' + uncommitted changes' || true)"
last=${STEPS##*,}
args=(--steps "$STEPS" --window-seconds "$WINDOW" --settle-seconds "$SETTLE" --min-free-gib "$MIN_FREE_GIB" --sidecar "$SIDECAR" --commit "$commit")
[[ -n $REVIEW_INTERVAL ]] && args+=(--review-interval-seconds "$REVIEW_INTERVAL")
[[ -n $VARIANT_INTERVAL ]] && args+=(--variant-review-interval-seconds "$VARIANT_INTERVAL")
PUBLISH=${PUBLISH:-auto}
if [[ $PUBLISH == 1 || ( $PUBLISH == auto && $last -ge 100 ) ]]; then args+=(--publish); fi
node bench/src/scale/main.ts "${args[@]}" "$@"
