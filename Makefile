# Every target installs what it needs: a fresh clone with Node.js 20 and npm is enough.
SHELL := /bin/bash
NODE ?= node
DEPS := node_modules/.deps-stamp
TOOLS := .cache/tools/kubectl .cache/tools/helm
BUILD := dist/cli/main.js

.PHONY: all deps build tools test lint format demo bench run install clean

all: lint test

$(DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(DEPS)

$(BUILD): $(DEPS) $(shell find src -name '*.ts' -not -name '*.test.ts' 2>/dev/null) tsconfig.json tsconfig.build.json
	npx tsc -p tsconfig.build.json
	@touch $@

build: $(BUILD)

$(TOOLS) &: $(DEPS)
	$(NODE) scripts/tools.js kubectl helm >/dev/null

tools: $(TOOLS)

test: build tools
	npm test

lint: deps
	npm run lint

format: deps
	npx prettier --write .

# One report: every figure beside its baseline and goal, as a table and bench/results/*.json.
# QUICK=1 runs each row briefly (CI: figures not judged, a crash fails).
bench: build
	$(NODE) bench/run.js $(if $(filter-out 0,$(QUICK)),--quick,)

# A local control plane, a controller and two agents in one process; applies examples/ with the
# bundled kubectl, shows progress and exits 0 only if every example ends as it declares.
demo: build tools
	$(NODE) bin/task-router.js demo

# The current kubeconfig as the controller reads it: the first file of KUBECONFIG, else
# ~/.kube/config. kubectl itself (make install) merges every file of KUBECONFIG.
KUBECONFIG_FILE = $(firstword $(subst :, ,$(or $(KUBECONFIG),$(HOME)/.kube/config)))
# Loopback only: agents on this machine can register, nothing from outside reaches a dev run.
RUN_DEFAULTS := --principal-listen tcp://127.0.0.1:5700 --metrics-address 127.0.0.1:8080

# The controller on this machine against the current kubeconfig's cluster (leader election on,
# so it waits as a standby while another controller holds the Lease). RUN_ARGS comes after the
# loopback defaults: it adds options, and a repeated option overrides (the last value wins).
run: build
	$(NODE) bin/task-router.js controller --kubeconfig $(KUBECONFIG_FILE) $(RUN_DEFAULTS) $(RUN_ARGS)

# The Task CRD into the current kubeconfig's cluster, with the bundled kubectl.
install: tools
	.cache/tools/kubectl apply --server-side -f crds/

clean:
	rm -rf dist coverage .cache
