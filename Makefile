# Portcullis front door. Every target runs on the project's own Node 24 (node_modules/.bin first on PATH)
# and installs what it needs itself: npm packages, and the control-plane binaries built from the Go
# module proxy into .cache/ (keyed by version, so only the first run pays for them).
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
# jest imports ESM packages (@kubernetes/client-node 2.x) through Node's VM modules.
JEST := node --experimental-vm-modules node_modules/jest/bin/jest.js
CI_FLAGS := $(if $(CI),--ci,)

.PHONY: help deps tools build typecheck lint unit e2e test cluster-up cluster-down cluster-status clean
.PHONY: node-tools images node-up node-down node-status

help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

node_modules/.package-lock.json: package.json package-lock.json shared/package.json sidecar/package.json webhook/package.json cli/package.json e2e/package.json
	@echo "deps: npm ci (Node 24 arrives as the npm package 'node')"
	npm ci --no-fund --no-audit
	@touch $@

deps: node_modules/.package-lock.json ## install npm packages (Node 24 included)
	@node --version | grep -q '^v24\.' || { echo "deps: expected Node 24 from node_modules/.bin, got $$(node --version)"; exit 1; }

tools: ## build kube-apiserver, kubectl, etcd, helm and MinIO from the Go module proxy, moto/boto3/awscli into a venv (cached in .cache/)
	bash e2e/scripts/install-tools.sh >/dev/null

build: deps ## compile every workspace (tsc -b) and the sidecar's executable (Bun, sidecar/bin/portcullis-sidecar)
	tsc -b
	@# The sidecar ships as one executable: Bun's runtime with the compiled JavaScript bundled in (ADR 6),
	@# as bytecode so that start-up does not parse 2 MB of JavaScript; --format=esm keeps ES module semantics
	@# (--bytecode alone would turn the bundle into CommonJS). Start-up runs with the JIT thresholds scaled
	@# ×1000 (main.ts restores them once started: sidecar/src/runtime/jit-policy.ts), and the executable never
	@# reads a .env or bunfig.toml from its working folder: what it does comes from its flags alone (ADR 38).
	bun build sidecar/dist/main.js --compile --splitting --bytecode --format=esm --compile-jit-policy=1000 --no-compile-autoload-dotenv --no-compile-autoload-bunfig --outfile sidecar/bin/portcullis-sidecar 2>&1 | sed 's/^/bun build: /'

typecheck: build

lint: deps ## eslint with typescript-eslint
	eslint .

unit: build ## unit tests (no cluster)
	$(JEST) --selectProjects unit $(CI_FLAGS) $(JEST_ARGS)

e2e: build tools ## e2e tests against a real kube-apiserver + etcd (started once, reused when running)
	$(JEST) --selectProjects e2e --runInBand $(CI_FLAGS) $(JEST_ARGS)

# The ten-minute API-server outage test freezes its kube-apiserver, so `make test` gives it a control plane
# of its own (own cache folder and ports) and runs it in the background beside the other e2e suites.
OUTAGE_CACHE := $(CURDIR)/.cache/outage
OUTAGE_ENV := PORTCULLIS_CACHE=$(OUTAGE_CACHE) PORTCULLIS_APISERVER_PORT=17443 PORTCULLIS_ETCD_PORT=13379 PORTCULLIS_ETCD_PEER_PORT=13380
json = $(if $(JEST_JSON_DIR),--json --outputFile=$(JEST_JSON_DIR)/$(1).json)

test: build lint tools ## everything: types, lint, unit and e2e tests
	@# Separate jest runs: unit suites in parallel workers, e2e in band (they share one control plane). One
	@# long in-band process for both failed a 9 MiB SDK request with a RangeError late in the run. The
	@# outage test runs alone on its own control plane meanwhile (skipped when JEST_ARGS narrows the run).
	@# The e2e node's binaries (kubelet, controller manager, scheduler: one long go build; Debian's containerd)
	@# build in the background from the start; its suite runs as the last stage, alone (ADR 33).
	@status=0; outage=; nodetools=; \
	if [[ -z "$(JEST_ARGS)" && $$(id -u) -eq 0 ]]; then \
	  mkdir -p .cache; echo "test: building the e2e node's binaries in the background (log: .cache/node-tools.log)"; \
	  bash e2e/scripts/install-node-tools.sh > .cache/node-tools.log 2>&1 & nodetools=$$!; \
	fi; \
	$(JEST) --selectProjects unit $(CI_FLAGS) $(call json,unit) $(JEST_ARGS) || status=1; \
	if [[ -z "$(JEST_ARGS)" ]]; then \
	  bash e2e/scripts/own-cache.sh $(OUTAGE_CACHE); \
	  echo "test: the API-server outage test (~11 min) runs in the background; its output follows the other e2e suites"; \
	  $(OUTAGE_ENV) $(JEST) --selectProjects e2e --runInBand $(CI_FLAGS) --testPathPatterns api-outage $(call json,outage) > $(OUTAGE_CACHE)/jest.log 2>&1 & outage=$$!; \
	fi; \
	$(JEST) --selectProjects e2e --runInBand $(CI_FLAGS) --testPathIgnorePatterns /node_modules/ /dist/ api-outage $(if $(JEST_ARGS),,e2e/src/node/) $(call json,e2e) $(JEST_ARGS) || status=1; \
	if [[ -z "$(JEST_ARGS)" ]]; then \
	  if [[ -n "$$nodetools" ]]; then \
	    echo "test: waiting for the e2e node's binaries (their progress so far, then as it comes)"; \
	    tail -n +1 -f --pid=$$nodetools .cache/node-tools.log; \
	    wait $$nodetools || { status=1; echo "test: install-node-tools.sh failed:"; tail -40 .cache/node-tools.log; }; \
	  fi; \
	  echo "test: the e2e node suite (real pods on a kubelet, docs/e2e-node.md)"; \
	  $(JEST) --selectProjects e2e --runInBand $(CI_FLAGS) --testPathPatterns e2e/src/node/ $(call json,node) || status=1; \
	fi; \
	if [[ -n "$$outage" ]]; then \
	  echo "test: waiting for the API-server outage test"; \
	  wait $$outage || status=1; \
	  cat $(OUTAGE_CACHE)/jest.log; \
	fi; \
	exit $$status

cluster-up: build ## start (or reuse) the local control plane; prints the KUBECONFIG to export
	node e2e/dist/cluster/main.js up

cluster-down: build ## stop the local control plane
	node e2e/dist/cluster/main.js down

cluster-status: build ## is the local control plane running?
	node e2e/dist/cluster/main.js status

# The e2e node (docs/e2e-node.md): containerd + kubelet + controller-manager + scheduler joined to the local
# control plane, running the images built here from the Dockerfiles. Same PORTCULLIS_* variables as cluster-*.
node-tools: ## containerd, runc, CNI plugins (Debian, apt-get) and kubelet, kube-controller-manager, kube-scheduler (Go module proxy, cached in .cache/)
	bash e2e/scripts/install-node-tools.sh >/dev/null

images: build ## pause, sidecar, webhook and e2e-app images from their Dockerfiles, without an engine or registry: OCI tars in .cache/node/images
	node e2e/dist/node/images/main.js

node-up: build tools node-tools images ## start (or reuse) the control plane and one node on it (needs root)
	node e2e/dist/node/main.js up

node-down: build ## stop the node: kubelet, its containers, controllers, containerd, network
	node e2e/dist/node/main.js down

node-status: build ## is the node running and Ready?
	node e2e/dist/node/main.js status

clean: ## remove build output (keeps the cached binaries in .cache/tools)
	rm -rf */dist coverage

.PHONY: demo bench soak scale bench-limits bench-proxy-mode fuzz
fuzz: build ## property-based fuzzing of every parser between the app and a credential: FUZZ_RUNS (1000000) cases per property, FUZZ_SEED, hang/crash report; never part of test
	nice node e2e/scripts/fuzz.mjs

bench: build ## benchmarks, never part of test: sidecar vs direct, nginx, aws-sigv4-proxy and iron-proxy -> bench/results/<date>.json, plots, BENCHMARKS.md (BENCH_PROFILE=quick ~4 min)
	bash bench/run.sh

soak: build ## 30 min at 1000 requests/s through a standalone sidecar: errors and RSS growth after warm-up (DURATION=seconds, RATE=…, SIDECAR=…), never part of test
	DURATION=$(or $(DURATION),1800) RATE=$(or $(RATE),1000) SIDECAR=$(or $(SIDECAR),sidecar/bin/portcullis-sidecar) bash bench/soak.sh

scale: build tools ## N cluster-mode sidecars (10…250) on a control plane of its own: API server load and revocation vs N, fitted to 5,000 pods (STEPS=…, WINDOW=…), never part of test
	STEPS=$(or $(STEPS),10,25,50,100,200,250) WINDOW=$(or $(WINDOW),120) bash bench/scale.sh

bench-limits: build ## what limits add per call: the check + settle in memory and in a real Redis (p50/p99), never part of test -> bench/results/limits-<date>.{json,md}
	bash e2e/scripts/install-peers.sh >/dev/null
	node bench/src/limits/main.ts

bench-proxy-mode: build ## HTTPS_PROXY mode's added latency: MITM path vs source port vs direct, call by call side by side (kept-alive and new connection per call), never part of test -> .cache/bench/proxy-mode-<date>.json
	node bench/src/proxy-mode.ts

demo: build ## the whole flow end to end on a local control plane, narrated (Ctrl-C cleans up)
	node e2e/dist/demo/main.js

# kind targets for people who have Docker (kind-up, kind-load, kind-deploy, kind-e2e, …)
include mk/kind.mk
