# firmo: two commands. `make run` runs the whole pipeline offline on generated demo data;
# `make test` runs the lint (`make lint`), then the test suite. Both create .venv and install the
# project when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LOCK   := requirements.lock
export FIRMO_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME   ?= $(FIRMO_DATA_DIR)/dagster_home
DEMO_COMPANIES ?= 20000
PACKAGES := firmo sources waterfall assets pipelines

.PHONY: install run test lint ui bench clean-data help nightly lock

help:
	@echo "make run    - generate the demo data if absent and run the whole pipeline into data/firmo.duckdb"
	@echo "make test   - run the lint, then the test suite"
	@echo "make lint   - ruff (lint and format check) and mypy over the packages"
	@echo "make ui     - open the Dagster UI (dagster dev) on http://127.0.0.1:3000 and the workspace on :8080"
	@echo "make nightly - run one night of the schedule here (after make run)"
	@echo "make bench  - run the benchmarks in bench/ (minutes; figures go to the README)"
	@echo "make lock   - re-pin requirements.lock after a dependency change in pyproject.toml"

# The packages come from requirements.lock: every dependency of pyproject.toml (dev extra included),
# pinned to the versions the tests ran with, each with the sha256 of its files, so a fresh machine
# installs exactly those (pip refuses a file whose hash differs). firmo itself goes on top without
# resolving anything; `pip check` fails the install when pyproject.toml names a package the lock
# lacks (run `make lock`).
$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "firmo needs Python 3.11 or newer (found %s)" % sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	@touch $(STAMP)

# Regenerate requirements.lock after changing the dependencies in pyproject.toml, then commit both:
#   make lock             keeps every pin that still fits and adds what is new
#   make lock UPGRADE=1   moves every package to the newest version pyproject.toml allows
# uv (installed into .venv for this only, not a dependency) resolves for every platform and Python
# >= 3.11 (--universal) and writes the hashes of every published file of each pinned version.
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --generate-hashes $(if $(UPGRADE),--upgrade) \
		--custom-compile-command 'make lock' -o $(LOCK)

install: $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	@cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml

run: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/firmo run --demo --companies $(DEMO_COMPANIES)

# ruff's rules and mypy's settings are in pyproject.toml; `.venv/bin/ruff format $(PACKAGES)` and
# `.venv/bin/ruff check --fix $(PACKAGES)` repair most of what the first two report.
lint: install
	$(BIN)/ruff check $(PACKAGES)
	$(BIN)/ruff format --check $(PACKAGES)
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

# The sales workspace (firmo serve, :8080) runs beside the Dagster UI (:3000) and stops with it.
ui: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/firmo serve --host 127.0.0.1 --port 8080 & workspace=$$!; \
	trap 'kill $$workspace 2>/dev/null' EXIT INT TERM; \
	$(BIN)/dagster dev -m pipelines.definitions -h 127.0.0.1 -p 3000

bench: install
	$(BIN)/python bench/bench_sirene_ingest.py

clean-data:
	rm -rf $(FIRMO_DATA_DIR)

nightly: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/firmo nightly
