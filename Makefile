# casebot: `make run` starts the whole assistant, `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
RASA_VENV := .venv-rasa
BIN := $(VENV)/bin
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

# `make run CASE_BACKEND=aicc` picks the back end for this run (default: .env's value)
ifdef CASE_BACKEND
export CASE_BACKEND
endif

.PHONY: help run test setup env model lint typecheck unit e2e rasa-validate rasa-test browser services bench clean

help:
	@echo "make run    start the assistant (Rasa, actions, gateway, sandbox) and print where to chat"
	@echo "make test   lint, type-check and run every test"
	@echo "make bench  run the benchmarks and write var/bench.md"

$(BIN)/.installed: pyproject.toml
	@echo "==> creating $(VENV) with $$($(PYTHON) --version) and installing casebot"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

$(RASA_VENV)/.installed: bot/constraints-rasa.txt
	@echo "==> creating $(RASA_VENV) with Python 3.10 and Rasa 3.6.21 (first time: a few minutes)"
	py310=$$(scripts/find-python310.sh) && $$py310 -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --quiet --disable-pip-version-check \
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

# every benchmark, one after another; figures go to var/bench.md (about 13 minutes)
bench: setup model env
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(RASA_VENV) var/models
