# Each target builds .venv on demand from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint package clean screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/consentbooth

test: $(STAMP)
	$(BIN)/ruff check app tests
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m tests.bench

lint: $(STAMP)
	$(BIN)/ruff check app tests
	$(BIN)/lint-imports

screenshots: $(STAMP)
	$(BIN)/python -m tests.gui.screenshots

clean:
	rm -rf $(VENV) build *.egg-info
