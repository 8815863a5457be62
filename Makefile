# casebot: `make run` starts the whole assistant, `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# the interpreter uv is bootstrapped with, and .venv's (3.11+)
PYTHON ?= python3
VENV := .venv
RASA_VENV := .venv-rasa
BIN := $(VENV)/bin
TOOLS := .tools
UV := $(TOOLS)/uv/bin/uv
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
# uv reads no pip settings, and with this none of the machine's uv settings either: what is
# installed comes from the locks, from PyPI or uv's cache, the same on every machine
export UV_NO_CONFIG := 1
# uv does not compile bytecode at install; Python writes it as modules are first imported
# (Rasa's and TensorFlow's take ~6 s of CPU to compile per process), even where the
# environment says not to
unexport PYTHONDONTWRITEBYTECODE

# `make run CASE_BACKEND=aicc` picks the back end for this run (default: .env's value)
ifdef CASE_BACKEND
export CASE_BACKEND
endif

.PHONY: help run test test-live setup env model lint typecheck unit e2e rasa-validate rasa-test browser services bench lock clean

help:
	@echo "make run    start the assistant (Rasa, actions, gateway, sandbox) and print where to chat"
	@echo "make test   lint, type-check and run every test"
	@echo "make bench  run the benchmarks and write var/bench.md"

$(UV): scripts/uv-requirements.txt scripts/bootstrap-uv.sh
	@echo "==> installing uv into $(TOOLS)/ with $$($(PYTHON) --version) (it installs both environments)"
	@scripts/bootstrap-uv.sh $(PYTHON) $(TOOLS)/uv
	@touch $@

# the application's packages exactly as uv.lock has them, casebot itself editable
$(BIN)/.installed: pyproject.toml uv.lock $(UV)
	@echo "==> syncing $(VENV) with uv.lock (casebot and its dev tools, on $$($(PYTHON) --version))"
	$(UV) sync --quiet --frozen --extra dev --python $(PYTHON)
	@touch $@

$(RASA_VENV)/.installed: bot/constraints-rasa.txt $(UV) scripts/find-python310.sh
	@echo "==> creating $(RASA_VENV) with Python 3.10 and Rasa 3.6.21"
	py310=$$(UV=$(UV) scripts/find-python310.sh) && $(UV) venv --quiet --clear --python "$$py310" $(RASA_VENV)
	$(UV) pip install --quiet --python $(RASA_VENV) \
		-c bot/constraints-rasa.txt rasa==3.6.21
	@touch $@

setup: $(BIN)/.installed $(RASA_VENV)/.installed

env: $(BIN)/.installed
	@$(BIN)/python scripts/make_env.py

model: setup
	@$(BIN)/python scripts/train.py

run: setup env model
	@$(BIN)/python scripts/run.py

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# the packages pyproject.toml installs, and no other list of them
typecheck: $(BIN)/.installed
	$(BIN)/mypy $$($(BIN)/python scripts/packages.py --mypy)

rasa-validate: $(RASA_VENV)/.installed
	$(RASA_VENV)/bin/rasa data validate --config bot/config.yml --domain bot/domain \
		--data bot/data

# whole conversations in bot/tests against the current model; any wrong prediction fails
rasa-test: model
	$(RASA_VENV)/bin/rasa test core --stories bot/tests --model var/models/current.tar.gz \
		--out var/rasa-test --fail-on-prediction-errors

unit: $(BIN)/.installed services
	$(BIN)/pytest tests/unit -q

# headless Chromium and its driver, for the browser test of the webchat page
browser:
	@scripts/ensure-chromium.sh

# redis-server and PostgreSQL, which the tests start throwaway servers of
services:
	@scripts/ensure-services.sh

e2e: setup model browser services
	$(BIN)/pytest tests/e2e tests/integration -q

test: setup model browser services lint typecheck rasa-validate rasa-test
	$(BIN)/pytest -q -ra; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$status

# the contract suite against a real Connect Cases domain (CASEBOT_LIVE_CONNECT=1) or AICC tenant
# (CASEBOT_LIVE_AICC=1) with their settings in the environment; each skipped in one line otherwise
test-live: $(BIN)/.installed
	$(BIN)/pytest -m live -rs tests/unit/cases/contract

# every benchmark, one after another; figures go to var/bench.md (about 13 minutes)
bench: setup model env
	$(BIN)/python -m bench

# The one command that moves the locks, on purpose: uv.lock takes in pyproject.toml's changes
# (other pins kept); UPGRADE=1 moves every pin to the newest release allowed, Rasa's constraints
# too (scripts/lock_rasa.py); UV_VERSION=x.y.z moves the uv the Makefile bootstraps.
UV_VERSION ?= $(shell sed -n 's/^uv==\([^ ]*\).*/\1/p' scripts/uv-requirements.txt)
lock: $(UV)
	{ sed -n '/^#/p' scripts/uv-requirements.txt; echo 'uv==$(UV_VERSION)' | $(UV) pip compile \
		--quiet --generate-hashes --no-header --no-annotate --only-binary :all: \
		--python-version 3.9 -; } > scripts/uv-requirements.txt.new
	cd scripts && if cmp -s uv-requirements.txt.new uv-requirements.txt; then \
		rm uv-requirements.txt.new; else mv uv-requirements.txt.new uv-requirements.txt; fi
	$(UV) lock $(if $(UPGRADE),--upgrade)
	$(if $(UPGRADE),$(PYTHON) scripts/lock_rasa.py $(UV))

clean:
	rm -rf $(VENV) $(RASA_VENV) $(TOOLS) var/models
