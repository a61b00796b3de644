#!/usr/bin/env bash
# `make bench`: installs what the bench needs (each keyed by version, so only the first run pays), type-
# checks the bench, runs it pinned to the load core, then makes the plots and BENCHMARKS.md from the
# results file. Never part of `make test`.
#
#   BENCH_PROFILE=full|quick   full (default): the published run, ~25 min; quick: harness check, ~5 min
#   BENCH_ONLY=a,b             only these scenarios (decision latency throughput sse streaming footprint revocation webhook)
#   BENCH_WAIT_FOR_LOAD=1.0    first wait (up to 30 min) until the 1-minute load average is below this
#   BENCH_IDLE=0               skip the idle-memory/start-up run (bench/src/idle-memory.ts, ADR 38) after the scenarios
#   BENCH_PROXY_MODE=0         skip the HTTPS_PROXY-mode latency run (bench/src/proxy-mode.ts; make bench-proxy-mode runs it alone)
#   BENCH_PEERS_DIR=dir        the peer binaries (aws-sigv4-proxy, iron-proxy; default ../shared/peers beside
#                              the repo, never copied into it); without them the peer rows are skipped and say so
#
# A full run writes bench/results/<date>.json, bench/results/plots/*.png and BENCHMARKS.md; quick or
# partial runs write bench/results/<date>-<profile>[...].json and leave BENCHMARKS.md alone (their
# report and plots go to .cache/bench/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$PATH"

VEGETA_VERSION=v12.13.0
MATPLOTLIB_VERSION=3.11.2
PROFILE=${BENCH_PROFILE:-full}
ONLY=${BENCH_ONLY:-}
TOOLS=$ROOT/.cache/tools
VEGETA=$TOOLS/vegeta-$VEGETA_VERSION/vegeta
VENV=$ROOT/.cache/bench/venv-matplotlib-$MATPLOTLIB_VERSION

say() { echo "bench: $*" >&2; }

node --version | grep -q '^v24\.' || { say "expected Node 24 from node_modules/.bin (run make deps), got $(node --version)"; exit 1; }
for cmd in taskset python3 go; do
  command -v "$cmd" >/dev/null || { say "$cmd is required"; exit 1; }
done
[[ $(nproc) -ge 2 ]] || { say "needs 2 cores (proxy on core 0, load on core 1); this machine has $(nproc)"; exit 1; }

if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
  say "installing nginx and wrk from Debian (apt-get)"
  SUDO=$([[ $(id -u) -eq 0 ]] && echo || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nginx-light wrk >/dev/null
fi

if [[ ! -x $VEGETA ]]; then
  say "building vegeta $VEGETA_VERSION from the Go module proxy into ${VEGETA#"$ROOT"/}"
  mkdir -p "$(dirname "$VEGETA")"
  GOBIN=$(dirname "$VEGETA") GOFLAGS=-mod=mod go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION"
fi

if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c "import matplotlib" 2>/dev/null; then
  say "creating a Python venv with matplotlib $MATPLOTLIB_VERSION in ${VENV#"$ROOT"/}"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "matplotlib==$MATPLOTLIB_VERSION"
fi

say "type-checking bench/ (tsc -p bench)"
tsc -p bench

if [[ -n ${BENCH_WAIT_FOR_LOAD:-} ]]; then
  for _ in $(seq 1 180); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    awk -v l="$load" -v m="$BENCH_WAIT_FOR_LOAD" 'BEGIN { exit !(l < m) }' && break
    say "load average $load ≥ $BENCH_WAIT_FOR_LOAD: waiting (other builds or tests are running)"
    sleep 10
  done
fi
say "load average now: $(cut -d' ' -f1-3 /proc/loadavg) — results are noisy when this is well above 0"

args=(--profile "$PROFILE")
[[ -n $ONLY ]] && args+=(--only "$ONLY")
say "running the $PROFILE profile${ONLY:+ ($ONLY)} pinned to core 1"
results=$(BENCH_VEGETA=$VEGETA BENCH_VEGETA_VERSION=$VEGETA_VERSION taskset -c 1 node bench/src/main.ts "${args[@]}" | tail -n 1)

# Idle memory and start-up by phase (RSS after ready, after warm-up, after load; CPU per request of the first
# requests): fresh processes of the shipped executable, their own JSON beside the results file (ADR 38).
if [[ ${BENCH_IDLE:-1} != 0 && ( -z $ONLY || ,$ONLY, == *,footprint,* ) ]]; then
  idle_json=${results%.json}-idle-memory.json
  say "idle memory and start-up by phase (bench/src/idle-memory.ts) -> ${idle_json#"$ROOT"/}"
  taskset -c 1 node bench/src/idle-memory.ts --starts "$([[ $PROFILE == full ]] && echo 6 || echo 2)" --requests "$([[ $PROFILE == full ]] && echo 20000 || echo 5000)" --json "$idle_json"
fi

# HTTPS_PROXY mode: the added latency of the MITM path (CONNECT + pod-CA TLS) against the source port and
# direct, request by request side by side against one sidecar (bench/src/proxy-mode.ts), its own JSON.
if [[ ${BENCH_PROXY_MODE:-1} != 0 && -z $ONLY ]]; then
  proxy_json=${results%.json}-proxy-mode.json
  say "HTTPS_PROXY mode: MITM path vs source port vs direct (bench/src/proxy-mode.ts) -> ${proxy_json#"$ROOT"/}"
  taskset -c 1 node bench/src/proxy-mode.ts --calls "$([[ $PROFILE == full ]] && echo 5000 || echo 1000)" --fresh-calls "$([[ $PROFILE == full ]] && echo 500 || echo 100)" --json "$proxy_json"
fi

if [[ $PROFILE == full && -z $ONLY ]]; then
  plots=$ROOT/bench/results/plots
  report=$ROOT/BENCHMARKS.md
else
  plots=$ROOT/.cache/bench/plots-$PROFILE
  report=$ROOT/.cache/bench/BENCHMARKS-$PROFILE.md
fi
"$VENV/bin/python" bench/plot.py "$results" "$plots"
node bench/src/report/render.ts "$results" "$plots" "$report"
say "done: ${results#"$ROOT"/}, ${report#"$ROOT"/}"
