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

# TODO(#7): one report with baselines and QUICK=1; for now each benchmark prints its own table.
bench: build
	$(NODE) bench/router.js
	$(NODE) bench/agent-roundtrip.js
	$(NODE) bench/localcluster.js

demo: build tools
	bash scripts/demo.sh

clean:
	rm -rf dist coverage .cache
