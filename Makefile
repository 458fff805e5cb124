# berth — build, test, demo. `make help` lists the targets.
GO       ?= go
BIN      ?= bin/berth
PREFIX   ?= /usr/local
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
export CGO_ENABLED := 0

.PHONY: help build install test race unit e2e bench demo demo-down lint fuzz images registry clean test-modern test-modern-short provision-modern chaos chaos-short

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## build the static binary bin/berth
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/berth

install: build ## install berth to $(PREFIX)/bin and as a Docker CLI plugin
	install -m 0755 $(BIN) $(PREFIX)/bin/berth
	mkdir -p $(HOME)/.docker/cli-plugins
	install -m 0755 $(BIN) $(HOME)/.docker/cli-plugins/docker-compose

registry: ## install the real registry the registry tests start (docker-registry, htpasswd)
	./internal/testregistry/install-packages.sh

images: ## build the offline test images (berth-test/busybox, node, redis)
	./internal/testimages/build-images.sh

unit: ## fast tests: no engine needed
	$(GO) test -short ./...

# RACE are the packages with goroutines of their own (apply's DAG walk,
# supervise, event relays, the fake's locks, attached up and its signals):
# `make test` runs them under the race detector, with the real engine. The
# detector needs cgo and a C compiler, hence CGO_ENABLED=1 for that run
# alone; the binary stays static. The other packages run once, without it.
RACE  := ./reconciler/ ./engine/... ./compose/ ./cmd/berth/
OTHER  = $(filter-out $(shell $(GO) list $(RACE)),$(shell $(GO) list ./...))

test: build images registry ## all tests: unit, engine contract, e2e against the real engine; RACE under -race
	@command -v "$$($(GO) env CC)" >/dev/null || { echo "make test: -race needs a C compiler ($$($(GO) env CC)): apt-get install gcc"; exit 1; }
	CGO_ENABLED=1 BERTH_E2E=1 $(GO) test -race -count=1 -timeout 15m $(RACE)
	BERTH_E2E=1 BERTH_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 15m $(OTHER)

race: ## only the race-detector run of RACE (no engine needed under -short)
	CGO_ENABLED=1 $(GO) test -race -count=1 -short $(RACE)

e2e: build images registry ## only the end-to-end tests of the binary
	BERTH_E2E=1 BERTH_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 15m ./e2e/...

# The modern Docker Engine (internal/testengine): a private dockerd of the
# pinned moby version in its own network namespace, with the offline images
# copied in. Needs root; the first run on a machine builds the daemon.
TESTENGINE := $(GO) run ./internal/testengine/cmd/testengine
# e2e tests that need no port published on the host (inside the engine's
# network namespace, a published port is not reachable from here).
E2E_MODERN_SUBSET ?= TestLifecycleCommands|TestRunOneOff|TestExec|TestCpRoundTrip|TestInspectionCommands|TestBuildArgsReachTheImage|TestBuildUsesCacheWhenNothingChanged|TestGatedFeaturesApplied

provision-modern: ## build or reuse the modern engine's dockerd, docker-proxy and runc
	./internal/testengine/provision.sh

test-modern: build images provision-modern ## contract suite and all e2e on the modern Docker Engine (root)
	BERTH_MODERN=1 $(GO) test -count=1 -timeout 10m -run 'TestStartStop|TestSystemDockerd|TestContractModern' ./internal/testengine/ ./engine/docker/
	$(TESTENGINE) run -- env BERTH_E2E=1 BERTH_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 15m ./e2e/...

test-modern-short: build images provision-modern ## contract suite and an e2e subset on the modern Docker Engine (root)
	BERTH_MODERN=1 $(GO) test -count=1 -timeout 10m -run 'TestContractModern' ./engine/docker/
	$(TESTENGINE) run -- env BERTH_E2E=1 BERTH_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 10m -run '^($(E2E_MODERN_SUBSET))$$' ./e2e/...

# The fault suite (e2e/chaos): engines killed and restarted (private
# Debian dockerd 20.10 engines in their own network namespaces; root),
# interrupts, races, exhausted address pools, a volume's data over many
# cycles. It ends with the table fault | runs | converged | lost data | hung.
# Plain `make test` compiles it but runs none of it (BERTH_CHAOS unset).
chaos: build images ## the fault suite at full counts (root; takes long)
	BERTH_CHAOS=full BERTH_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -v -parallel 8 -timeout 240m ./e2e/chaos/

chaos-short: build images ## the fault suite, one or two runs of each fault (CI)
	BERTH_CHAOS=short BERTH_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -v -parallel 8 -timeout 15m ./e2e/chaos/

bench: build images registry ## benchmarks: berth against the raw engine limit (and docker-compose)
	BERTH_BIN=$(CURDIR)/$(BIN) $(GO) test -run '^$$' -bench . -benchtime 3x -timeout 60m ./bench/

fuzz: ## fuzz the compose loader (FUZZTIME=5m)
	$(GO) test -run '^$$' -fuzz FuzzLoad -fuzztime $${FUZZTIME:-1m} ./compose/

demo: build images ## run the visits app and show the counter rising
	./examples/visits-app/demo.sh up

demo-down: build ## take the demo down
	./examples/visits-app/demo.sh down

lint: ## gofmt and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...

clean:
	rm -rf bin
