# nextstep. `make help` lists the targets; README.md explains them.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT := $(CURDIR)
BIN := $(ROOT)/bin
export PATH := $(BIN):$(PATH)

# The workspace's Go modules (river's trick: go.work is the one list).
MODULES := $(shell go list -f '{{.Dir}}' -m)
PACKAGES := $(addsuffix /...,$(MODULES))

# Pinned tools, built from source with `go install` into bin/ as
# bin/<tool>-<version> and linked as bin/<tool>.
BUF_VERSION := v1.75.0
PROTOC_GEN_GO_VERSION := v1.36.12
PROTOC_GEN_CONNECT_GO_VERSION := v1.21.1
CONTROLLER_GEN_VERSION := v0.23.0
HELM_VERSION := v3.22.0
SQLC_VERSION := v1.31.1
GOLANGCI_LINT_VERSION := v2.15.0
# kube-api-linter has no tagged release: its newest commit the proxy serves.
KUBE_API_LINTER_VERSION := v0.0.0-20260716143926-092fe0c72997

# go-install,<binary>,<package>,<version>
define go-install
@test -x $(BIN)/$(1)-$(3) || { \
  echo "installing $(1) $(3) into bin/ (built from source, once)"; \
  GOBIN=$(BIN)/.install GOWORK=off go install $(2)@$(3) && mv $(BIN)/.install/$(1) $(BIN)/$(1)-$(3); }
endef

BUF := $(BIN)/buf-$(BUF_VERSION)
PROTOC_GEN_GO := $(BIN)/protoc-gen-go-$(PROTOC_GEN_GO_VERSION)
PROTOC_GEN_CONNECT_GO := $(BIN)/protoc-gen-connect-go-$(PROTOC_GEN_CONNECT_GO_VERSION)
CONTROLLER_GEN := $(BIN)/controller-gen-$(CONTROLLER_GEN_VERSION)
HELM := $(BIN)/helm-$(HELM_VERSION)
SQLC := $(BIN)/sqlc-$(SQLC_VERSION)
GOLANGCI_LINT := $(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
KUBE_API_LINTER := $(BIN)/kube-api-linter-$(KUBE_API_LINTER_VERSION)

$(BUF):
	$(call go-install,buf,github.com/bufbuild/buf/cmd/buf,$(BUF_VERSION))
$(PROTOC_GEN_GO):
	$(call go-install,protoc-gen-go,google.golang.org/protobuf/cmd/protoc-gen-go,$(PROTOC_GEN_GO_VERSION))
$(PROTOC_GEN_CONNECT_GO):
	$(call go-install,protoc-gen-connect-go,connectrpc.com/connect/cmd/protoc-gen-connect-go,$(PROTOC_GEN_CONNECT_GO_VERSION))
$(CONTROLLER_GEN):
	$(call go-install,controller-gen,sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_GEN_VERSION))
# sqlc links PostgreSQL's own parser (cgo): a few minutes to build, once.
$(SQLC):
	$(call go-install,sqlc,github.com/sqlc-dev/sqlc/cmd/sqlc,$(SQLC_VERSION))
# The linters: golangci-lint, and a golangci-lint built with the Kubernetes
# API linter in (the project's own command), for the CRD types.
$(GOLANGCI_LINT):
	$(call go-install,golangci-lint,github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION))
$(KUBE_API_LINTER):
	$(call go-install,golangci-lint-kube-api-linter,sigs.k8s.io/kube-api-linter/cmd/golangci-lint-kube-api-linter,$(KUBE_API_LINTER_VERSION))
	@mv $(BIN)/golangci-lint-kube-api-linter-$(KUBE_API_LINTER_VERSION) $@
# Helm is only for the chart tests, so it is not one of the generators in tools.
$(HELM):
	$(call go-install,helm,helm.sh/helm/v3/cmd/helm,$(HELM_VERSION))
	@ln -sf helm-$(HELM_VERSION) $(BIN)/helm

##@ Tools

.PHONY: tools
tools: $(BUF) $(PROTOC_GEN_GO) $(PROTOC_GEN_CONNECT_GO) $(CONTROLLER_GEN) $(SQLC) ## Build the pinned code generators into bin/.
	@ln -sf buf-$(BUF_VERSION) $(BIN)/buf
	@ln -sf protoc-gen-go-$(PROTOC_GEN_GO_VERSION) $(BIN)/protoc-gen-go
	@ln -sf protoc-gen-connect-go-$(PROTOC_GEN_CONNECT_GO_VERSION) $(BIN)/protoc-gen-connect-go
	@ln -sf controller-gen-$(CONTROLLER_GEN_VERSION) $(BIN)/controller-gen
	@ln -sf sqlc-$(SQLC_VERSION) $(BIN)/sqlc

##@ Development

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"} /^[a-zA-Z_\/-]+:.*##/ { printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)

.PHONY: generate
generate: proto crds sqlc accessdoc console-assets ## Regenerate every generated file (protobuf, Connect, deepcopy, CRDs, SQL, README access tables, the console's GOV.UK Frontend copy).

# flock: buf generate empties api/gen first, so two runs must not overlap.
.PHONY: proto
proto: tools ## Regenerate the protobuf and Connect code in api/gen.
	cd hack/tools/protovendor && GOWORK=off go run . $(ROOT)/api/third_party/protovalidate
	cd api && flock $(BIN)/.proto.lock sh -c 'buf lint && buf generate'

.PHONY: crds
crds: tools ## Regenerate the CRD deepcopy code and the CRD manifests in charts/nextstep/crds.
	controller-gen object paths=./api/k8s/...
	controller-gen crd paths=./api/k8s/... output:crd:dir=./charts/nextstep/crds

# Each service with a sqlc.yaml keeps its queries as SQL next to the Go
# sqlc generates from them and its migrations.
.PHONY: sqlc
sqlc: tools ## Regenerate each service's store code from its SQL queries (sqlc).
	@for cfg in services/*/sqlc.yaml; do [[ -e "$$cfg" ]] || continue; echo "sqlc generate ($$cfg)"; (cd "$$(dirname "$$cfg")" && sqlc generate); done

# accessdoc reads the descriptors compiled into api/gen, so it comes after
# proto in generate's prerequisites.
.PHONY: accessdoc
accessdoc: ## Render each service README's access table from the access policy in the contracts.
	go run ./hack/tools/accessdoc $(ROOT)

# The console embeds GOV.UK Frontend's compiled assets, copied from the npm
# package its lockfile pins (services/console/web); axe-core, pinned in the
# same lockfile, is copied for the browser tests.
.PHONY: console-assets
console-assets: ## Install the console's pinned npm packages and copy GOV.UK Frontend and axe-core into the tree.
	hack/console-assets.sh

.PHONY: verify
verify: generate ## Fail if generated files differ from what is committed.
	@git add -N . && git diff --exit-code --stat -- api charts services || { echo "generated files are out of date: run make generate and commit"; exit 1; }

# SOURCE_DATE_EPOCH dates every file and image config (0 when unset), so
# the same source gives the same digests.
.PHONY: images
images: ## Build an OCI image of every component into bin/images, without a Docker engine, and print their digests.
	go run ./hack/tools/images -root $(ROOT) -out $(BIN)/images

.PHONY: build
build: ## Build every binary into bin/.
	go build -o $(BIN)/ ./services/pupil/cmd/pupil ./services/placement/cmd/placement ./services/tracking/cmd/tracking ./services/console/cmd/console ./operator/cmd/operator ./hack/devstack

.PHONY: lint
lint: $(BUF) $(GOLANGCI_LINT) $(KUBE_API_LINTER) ## golangci-lint and go mod tidy in every module (.golangci.yml), the Kubernetes API linter on api/k8s, buf lint.
	@out=$$(gofmt -l hack); if [[ -n "$$out" ]]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@for m in $(MODULES); do echo "golangci-lint $${m#$(ROOT)/}"; (cd $$m && $(GOLANGCI_LINT) run --config $(ROOT)/.golangci.yml ./...) || exit 1; done
	@# Each module builds on its own (the images build with GOWORK=off), so
	@# its go.mod and go.sum must be tidy without the workspace.
	@for m in $(MODULES); do (cd $$m && GOWORK=off go mod tidy -diff >/dev/null) || { echo "go.mod/go.sum of $${m#$(ROOT)/} are not tidy: cd $${m#$(ROOT)/} && GOWORK=off go mod tidy"; exit 1; }; done
	cd api/k8s && $(KUBE_API_LINTER) run --config $(ROOT)/.golangci-kal.yml ./...
	cd api && $(BUF) lint

.PHONY: test
test: $(HELM) ## Run every test against real PostgreSQL, a real kube-apiserver, Helm, promtool, Chromium and runc (hack/ starts or installs them).
	@export NEXTSTEP_TEST_DATABASE_URL=$$(hack/ensure-postgres.sh) KUBEBUILDER_ASSETS=$$(hack/envtest.sh) \
	  HELM=$(HELM) PROMTOOL=$$(hack/ensure-promtool.sh) NEXTSTEP_CHROMIUM=$$(hack/ensure-chromium.sh) \
	  NEXTSTEP_RUNC=$$(hack/ensure-runc.sh); \
	  go test -count=1 -race $(PACKAGES)

.PHONY: bench
bench: ## Run the benchmarks (results and machine go in docs/benchmarks.md).
	@export NEXTSTEP_TEST_DATABASE_URL=$$(hack/ensure-postgres.sh); \
	  go test -run '^$$' -bench . -benchmem $(PACKAGES)

# make bench-queue is opt-in (not in make bench or .ci/run): about three
# minutes of load on 127.0.0.1 (RATE, DURATION and CONCURRENCY override).
.PHONY: bench-queue
bench-queue: ## Drive the tracking service's queue at 500 calls/s for 60s on a million tasks, one replica then two behind one address (hack/queueload.sh).
	hack/queueload.sh

# make bench-region is opt-in (not in make bench or .ci/run): six to ten
# minutes at scale 1, over an hour at -scale=10. BENCH_REGION_FLAGS passes flags
# to devstack bench-region (-scale, -concurrency, -pool-max-conns, -shards,
# -profile, -keep).
.PHONY: bench-region
bench-region: build ## Seed a region (1,500 cohorts, 300,000 pupils) and time the real operator's first pass, a full pass again and a no-change pass (passed over) through the real services and API server (hack/devstack/region.go).
	@export NEXTSTEP_ADMIN_DATABASE_URL=$$(hack/ensure-postgres.sh) KUBEBUILDER_ASSETS=$$(hack/envtest.sh); \
	  $(BIN)/devstack bench-region $(BENCH_REGION_FLAGS)

# How long make fuzz runs each fuzz target.
FUZZTIME ?= 20s

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME each (default 20s); a crasher is kept in its package's testdata/fuzz/.
	@export NEXTSTEP_TEST_DATABASE_URL=$$(hack/ensure-postgres.sh) FUZZTIME=$(FUZZTIME); \
	  hack/fuzz.sh

# make e2e is opt-in (not in .ci/run): about twelve minutes for the stack,
# most of it waiting for an alert to resolve, then the chart on a real node
# (a few minutes once the node binaries are built; the first build takes
# about ten more: docs/node.md).
.PHONY: e2e
e2e: build $(HELM) ## Start the whole stack as make run does and check it as its operators would (dashboards have data; an outage fires its alert, which resolves); then install the chart on a real single-node Kubernetes and check the loop on real pods (make node-chart); then stop both.
	@export NEXTSTEP_ADMIN_DATABASE_URL=$$(hack/ensure-postgres.sh) KUBEBUILDER_ASSETS=$$(hack/envtest.sh); \
	  $(BIN)/devstack -fresh -check
	@# The images of this tree, so that the node runs what was just checked.
	@$(MAKE) --no-print-directory images
	@status=0; HELM=$(HELM) hack/node-chart.sh || status=$$?; hack/node-up.sh down; exit $$status

# make node is opt-in (not in .ci/run; make e2e runs it through node-chart): it builds the
# kubelet and the other node binaries from source (docs/node.md) and leaves a
# single-node cluster running; make node-down stops it.
.PHONY: node
node: ## Bring up a single-node Kubernetes from source (kubelet, containerd, CoreDNS) and run a pod on it (docs/node.md).
	@hack/node-up.sh up

# make node-chart is opt-in too: it brings the node up afresh, installs the
# chart onto it and checks it (docs/node.md, "The chart on the node").
.PHONY: node-chart
node-chart: $(HELM) ## Install the chart on the single-node cluster (make images, PostgreSQL forwarded) and check it: pods Ready, Cohorts, tasks, a rolling restart, uninstall.
	@HELM=$(HELM) hack/node-chart.sh

.PHONY: node-down
node-down: ## Stop the single-node cluster make node started.
	@hack/node-up.sh down

.PHONY: run
run: build ## Start the whole stack locally, seeded with a synthetic region (FRESH=1 reseeds from scratch).
	@export NEXTSTEP_ADMIN_DATABASE_URL=$$(hack/ensure-postgres.sh) KUBEBUILDER_ASSETS=$$(hack/envtest.sh); \
	  $(BIN)/devstack $(if $(FRESH),-fresh)
