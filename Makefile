# FLock protocol suite. `make demo` and `make test` set up everything they need (idempotent; a
# no-op set-up is a few timestamp checks). Everything is installed inside the repository.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
SOLC_VERSION := 0.8.28

# Project state stays in the repository (all git-ignored), never in the home folder.
export SOLCX_BINARY_PATH := $(CURDIR)/.solcx
export APE_DATA_FOLDER := $(CURDIR)/.ape-data
export PATH := $(CURDIR)/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

PY_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
SOLC := .solcx/solc-v$(SOLC_VERSION)
ANVIL := .bin/anvil
FORGE := .bin/forge
POC_PORT ?= 8545
export POC_PORT
# The stamp of a whole `make compile` (ape's own manifest is also rewritten by `ape test`'s partial
# auto-compile, which recompiles a changed file but not the files importing it: never the stamp).
BUILD := .build/.compiled
# interfaces/IFlockErrors.sol is written from the build (below), so it is not one of its inputs.
SOURCES := $(shell find contracts interfaces -name '*.sol' -not -path '*/.cache/*' -not -name IFlockErrors.sol 2>/dev/null)

.PHONY: help setup compile demo test lint bench fuzz slither rehearse-base clean lock etherscan \
	poc-env poc poc-stop prove coverage mutate

help:
	@echo "make demo    run the protocol demo on a local anvil chain"
	@echo "make test    lint, then unit, property and end-to-end tests (quick profile)"
	@echo "make bench   gas and throughput benchmarks -> reports/bench.json"
	@echo "make fuzz    deep property-test profile (long)"
	@echo "make slither static analysis; fails on a finding docs/security.md does not explain"
	@echo "make rehearse-base   deploy + verify on a local anvil posing as Base Sepolia"
	@echo "make poc-env anvil on :$(POC_PORT) with the suite deployed, for Foundry proofs of concept"
	@echo "make poc     the proofs of concept (audit/poc) against it; make poc-stop ends it"
	@echo "make prove   the Halmos symbolic proofs (audit/proofs)"
	@echo "make coverage  line and branch coverage of contracts/ -> reports/coverage.*"
	@echo "make mutate  mutation score of the tests over contracts/ -> reports/mutation.json"
	@echo "make setup   install the toolchain into the repository (done by the targets above)"

setup: $(PY_STAMP) $(NPM_STAMP) $(SOLC) $(ANVIL) $(FORGE)

$(PY_STAMP): requirements.lock pyproject.toml
	@echo "==> python environment ($(VENV)): one pinned pip install, quiet; 1 to 3 minutes the first time"
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/python -m pip install --quiet --progress-bar off -r requirements.lock -e . 2>&1 \
		| grep -v "is ignored: it is neither a file nor a directory" || true
	@$(VENV)/bin/python -m pip check
	@touch $@

# --no-save: npm 11 would otherwise rewrite package-lock.json on every fresh clone (it adds the
# anvil package's other-platform optional dependencies), leaving the checkout dirty.
$(NPM_STAMP): package.json package-lock.json
	@echo "==> npm packages"
	@npm install --no-audit --no-fund --loglevel=error --no-save
	@touch $@

# py-solc-x finds `solc-v<version>` in $SOLCX_BINARY_PATH; ours runs the npm solc-js build.
$(SOLC): tools/solc-shim.js $(NPM_STAMP)
	@mkdir -p $(@D)
	@printf '#!/bin/sh\nexec node "$$(dirname "$$(readlink -f "$$0")")/../tools/solc-shim.js" "$$@"\n' > $@.tmp
	@chmod +x $@.tmp && mv $@.tmp $@
	@$@ --version | grep -q "Version: $(SOLC_VERSION)"

# ape-foundry looks for `anvil` on PATH; the npm package ships the real binary per platform
# (.bin/anvil-bin), and tools/anvil.sh runs it with a state cache of its own, removed when it stops.
$(ANVIL): tools/anvil.sh $(NPM_STAMP)
	@mkdir -p $(@D)
	@ln -sf "$$(node tools/anvil-path.js)" $(@D)/anvil-bin
	@rm -f $@ && cp tools/anvil.sh $@.tmp && chmod +x $@.tmp && mv $@.tmp $@
	@$@ --version >/dev/null

# forge (proofs of concept, and halmos's build) from the same npm family, pinned in package.json.
$(FORGE): $(NPM_STAMP)
	@mkdir -p $(@D)
	@ln -sf "$$(node tools/anvil-path.js forge)" $@
	@$@ --version >/dev/null

compile: setup $(BUILD)

# --force: ape recompiles a changed file and its imports, not the files importing it, so a contract
# that embeds another's creation code (RewardDistributor creates RewardPots) would keep the old one.
# Then the published ABIs (abi/<Contract>.json) and interfaces/IFlockErrors.sol from the build;
# tests/interfaces checks that the committed files match it.
$(BUILD): $(SOURCES) ape-config.yaml | setup
	@echo "==> compiling $(words $(SOURCES)) Solidity files with solc $(SOLC_VERSION) (solc-js; about a minute)"
	@ape compile --force -v WARNING
	@python -m flock.abi write
	@touch $@

demo: compile
	@ape run demo

lint: setup
	@ruff check flock scripts tests tools
	@ruff format --check flock scripts tests tools
	@forge fmt --check contracts interfaces audit

test: lint compile
	@ape test

bench: compile
	@ape run bench

rehearse-base: compile
	@ape run rehearse

fuzz: compile
	@HYPOTHESIS_PROFILE=deep ape test tests/property

# slither through the project's solc shim (no compiler download, no network); docs/security.md.
slither: setup
	@python -m flock.audit.slither

# Proofs of concept (docs/audit.md): an anvil that keeps running on $(POC_PORT) with the suite
# deployed from config/ethereum-local.yaml; the manifest goes to deployments/poc-local.json.
poc-env: compile
	@python -m flock.audit.pocenv start

poc: poc-env
	@$(FORGE) test --fork-url http://127.0.0.1:$(POC_PORT) -vv

poc-stop:
	@python -m flock.audit.pocenv stop

# Halmos symbolic proofs (audit/proofs, docs/audit.md): in its own venv, from its own pins (its
# dependencies are not ape's); halmos builds with forge under the `halmos` profile of foundry.toml.
HALMOS_VENV := .halmos-venv
HALMOS_STAMP := $(HALMOS_VENV)/.installed

$(HALMOS_STAMP): tools/halmos/requirements.txt
	@echo "==> halmos environment ($(HALMOS_VENV))"
	@test -x $(HALMOS_VENV)/bin/python || $(PYTHON) -m venv $(HALMOS_VENV)
	@$(HALMOS_VENV)/bin/python -m pip install --quiet --progress-bar off -r $< 2>&1 \
		| grep -v "is ignored: it is neither a file nor a directory" || true
	@$(HALMOS_VENV)/bin/python -m pip check
	@touch $@

# Each solver query goes to yices and cvc5 at once (tools/halmos/portfolio.py): the first answer wins.
# A clean build each time: forge keeps the artifacts of a deleted proof, and halmos would run them.
prove: setup $(HALMOS_STAMP)
	@rm -rf .forge/halmos-out .forge/halmos-cache
	@FOUNDRY_PROFILE=halmos $(HALMOS_VENV)/bin/halmos --forge-build-out .forge/halmos-out \
		--loop 4 --solver-timeout-assertion 600s \
		--solver-command "$(CURDIR)/$(HALMOS_VENV)/bin/python $(CURDIR)/tools/halmos/portfolio.py"

# Line and branch coverage of contracts/ from the whole suite (docs/audit.md, "Coverage"): the tests'
# anvil traffic traced by flock/audit/coverage_plugin.py; a failing test does not stop the report.
coverage: compile
	@rm -rf reports/coverage
	@ape test --coverage -p no:cacheprovider || echo "(some tests failed: coverage reported anyway)"

# Mutation score (docs/audit.md, "Mutation"): universalmutator in its own venv; resumable, parallel-
# safe (MUTATE_ARGS, e.g. "--sample 40 --jobs 2" or "--only GmFlock").
MUTATE_VENV := .mutate-venv
MUTATE_STAMP := $(MUTATE_VENV)/.installed
MUTATE_ARGS ?=

$(MUTATE_STAMP): tools/mutate/requirements.txt
	@echo "==> universalmutator environment ($(MUTATE_VENV))"
	@test -x $(MUTATE_VENV)/bin/python || $(PYTHON) -m venv $(MUTATE_VENV)
	@$(MUTATE_VENV)/bin/python -m pip install --quiet --progress-bar off -r $< 2>&1 \
		| grep -v "is ignored: it is neither a file nor a directory" || true
	@touch $@

mutate: compile $(MUTATE_STAMP)
	@test -f .mutants/plan.json || python -m flock.audit.mutate plan
	@python -m flock.audit.mutate run $(MUTATE_ARGS)

# Optional: the Basescan verification plugin (docs/deploy.md); its dependencies are already pinned.
etherscan: setup
	@$(VENV)/bin/python -m pip install --quiet --no-deps ape-etherscan==0.8.7

# Re-pin the whole dependency tree from pyproject.toml in a throwaway environment.
lock:
	@rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	@.lock-venv/bin/pip install --quiet -e .
	@(echo "# Generated by \`make lock\` from pyproject.toml: the full dependency tree, pinned. Installed in one"; \
	  echo "# pip command with the project itself (see Makefile)."; \
	  .lock-venv/bin/pip freeze --exclude-editable | grep -v '^flock-protocol-suite') > requirements.lock
	@rm -rf .lock-venv

clean:
	rm -rf .build .cache reports
