# The kind path, for people with Docker: a real kubelet, so the webhook and the injected proxies actually
# run (the local control plane of `make e2e` has none). Included from the Makefile; every target stops
# with a clear message when docker or kind is missing. Overridable: KIND, DOCKER, KIND_CLUSTER,
# KIND_NODE_IMAGE, IMAGE_REGISTRY, IMAGE_TAG, KIND_NAMESPACE, KIND_HELM_ARGS (extra helm flags).
KIND ?= kind
DOCKER ?= docker
KIND_CLUSTER ?= portcullis
KIND_NODE_IMAGE ?=
KIND_CONTEXT := kind-$(KIND_CLUSTER)
KIND_RELEASE ?= portcullis
KIND_NAMESPACE ?= portcullis-system
# The namespace kind-e2e uses; its service accounts get the proxy's RBAC through the chart.
KIND_SMOKE_NAMESPACE ?= portcullis-smoke
KIND_HELM_ARGS ?=
IMAGE_REGISTRY ?= ghcr.io/portcullis
IMAGE_TAG ?= dev
SIDECAR_IMAGE := $(IMAGE_REGISTRY)/sidecar:$(IMAGE_TAG)
WEBHOOK_IMAGE := $(IMAGE_REGISTRY)/webhook:$(IMAGE_TAG)
# The chart's object names: "<release>-portcullis-webhook", or "<release>-webhook" when the release
# name already contains "portcullis".
KIND_WEBHOOK := $(if $(findstring portcullis,$(KIND_RELEASE)),$(KIND_RELEASE),$(KIND_RELEASE)-portcullis)-webhook

# helm and kubectl from PATH, else the ones e2e/scripts/install-tools.sh builds from the Go module proxy.
kind_tool = $$(command -v $(1) 2>/dev/null || echo "$$(bash e2e/scripts/install-tools.sh)/$(1)")

.PHONY: kind-check-docker kind-check-kind docker-images kind-up kind-load kind-deploy kind-e2e kind-down

kind-check-docker:
	@command -v $(DOCKER) >/dev/null 2>&1 || { echo "kind: '$(DOCKER)' is not installed. The kind targets need Docker; 'make demo' and 'make e2e' need none." >&2; exit 1; }
	@$(DOCKER) info >/dev/null 2>&1 || { echo "kind: '$(DOCKER)' is installed but no Docker engine answers ('$(DOCKER) info' failed). Start Docker, or use 'make demo' / 'make e2e', which need none." >&2; exit 1; }

kind-check-kind: kind-check-docker
	@command -v $(KIND) >/dev/null 2>&1 || { echo "kind: '$(KIND)' is not installed: 'go install sigs.k8s.io/kind@latest' (Go module proxy) or https://kind.sigs.k8s.io/docs/user/quick-start/#installation" >&2; exit 1; }

docker-images: kind-check-docker ## build the sidecar and webhook images (IMAGE_REGISTRY, IMAGE_TAG; needs Docker)
	@echo "docker-images: building $(SIDECAR_IMAGE) and $(WEBHOOK_IMAGE)"
	$(DOCKER) build -f sidecar/Dockerfile -t $(SIDECAR_IMAGE) .
	$(DOCKER) build -f webhook/Dockerfile -t $(WEBHOOK_IMAGE) .

kind-up: kind-check-kind ## create (or reuse) the kind cluster of kind-config.yaml (needs Docker and kind)
	@if $(KIND) get clusters 2>/dev/null | grep -qx '$(KIND_CLUSTER)'; then \
	  echo "kind-up: cluster $(KIND_CLUSTER) exists; kubectl context $(KIND_CONTEXT)"; \
	else \
	  echo "kind-up: creating cluster $(KIND_CLUSTER) from kind-config.yaml (a minute or two)"; \
	  $(KIND) create cluster --name $(KIND_CLUSTER) --config kind-config.yaml $(if $(KIND_NODE_IMAGE),--image $(KIND_NODE_IMAGE)) --wait 120s; \
	fi

kind-load: kind-up docker-images ## build both images and load them into the kind nodes (no registry needed)
	@echo "kind-load: loading $(SIDECAR_IMAGE) and $(WEBHOOK_IMAGE) into $(KIND_CLUSTER)"
	$(KIND) load docker-image --name $(KIND_CLUSTER) $(SIDECAR_IMAGE) $(WEBHOOK_IMAGE)

kind-deploy: kind-load ## install or upgrade the chart on the kind cluster with the images just built
	@kubectl=$(call kind_tool,kubectl); helm=$(call kind_tool,helm); \
	echo "kind-deploy: CRDs (helm installs them only once; applied here so an upgrade changes them too)"; \
	"$$kubectl" --context $(KIND_CONTEXT) apply --server-side --force-conflicts -f crds/; \
	"$$kubectl" --context $(KIND_CONTEXT) create namespace $(KIND_SMOKE_NAMESPACE) --dry-run=client -o yaml | "$$kubectl" --context $(KIND_CONTEXT) apply -f -; \
	echo "kind-deploy: helm upgrade --install $(KIND_RELEASE) in $(KIND_NAMESPACE)"; \
	"$$helm" --kube-context $(KIND_CONTEXT) upgrade --install $(KIND_RELEASE) charts/portcullis \
	  --namespace $(KIND_NAMESPACE) --create-namespace \
	  --set imageRegistry=$(IMAGE_REGISTRY) --set webhook.image.tag=$(IMAGE_TAG) --set sidecar.image.tag=$(IMAGE_TAG) \
	  --set 'sidecar.rbac.namespaces={$(KIND_SMOKE_NAMESPACE)}' $(KIND_HELM_ARGS) --wait --timeout 5m; \
	echo "kind-deploy: restarting the webhook so it runs the image just loaded (same tag)"; \
	"$$kubectl" --context $(KIND_CONTEXT) -n $(KIND_NAMESPACE) rollout restart deployment/$(KIND_WEBHOOK); \
	"$$kubectl" --context $(KIND_CONTEXT) -n $(KIND_NAMESPACE) rollout status deployment/$(KIND_WEBHOOK) --timeout 5m

kind-e2e: build kind-deploy ## on kind: an injected pod makes an allowed and a denied call; checks the audit lines
	@kubectl=$(call kind_tool,kubectl); \
	KUBECTL="$$kubectl" node e2e/dist/chart/kind-smoke.js --context $(KIND_CONTEXT) --namespace $(KIND_SMOKE_NAMESPACE) \
	  --image $(SIDECAR_IMAGE) --upstream http://$(KIND_WEBHOOK).$(KIND_NAMESPACE).svc:9090

kind-down: kind-check-kind ## delete the kind cluster
	$(KIND) delete cluster --name $(KIND_CLUSTER)
