# The entry points a developer and CI use; everything else is in deploy/ and pyproject.toml.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Reinstall only when the dependencies changed.
STAMP := $(VENV)/.installed

.PHONY: up down logs status test lint screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

up: $(STAMP)
	$(BIN)/python -m deploy.stack up

down: $(STAMP)
	$(BIN)/python -m deploy.stack down

logs: $(STAMP)
	$(BIN)/python -m deploy.stack logs -f

status: $(STAMP)
	$(BIN)/python -m deploy.stack status

# On CI (CI=true) the broker is this run's alone: vhosts killed runs left are swept first.
# The suite runs as two shards at once (deploy/suite_shards.py); `$(BIN)/nameko test` runs
# it in one process.
test: $(STAMP)
	$(BIN)/python -m deploy.stack ensure-broker $(if $(CI),--sweep-test-vhosts)
	$(BIN)/python -m deploy.stack ensure-browser
	$(BIN)/python -m deploy.suite_shards

# The console's screenshots (docs/screenshots/<role>-phone.png and -desktop.png).
screenshots: $(STAMP)
	$(BIN)/python -m deploy.stack ensure-broker
	$(BIN)/python -m deploy.stack ensure-browser
	$(BIN)/python -m deploy.screenshots

lint: $(STAMP)
	$(BIN)/ruff check .
