# Each target builds .venv on demand from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint package package-smoke package-repro clean screenshots i18n

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/consentbooth

test: $(STAMP)
	$(BIN)/ruff check app tests tools
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m tests.bench

lint: $(STAMP)
	$(BIN)/ruff check app tests tools
	$(BIN)/lint-imports

# Translations (docs/translations.md): extract every msgid into the .pot, merge it into each .po,
# compile the .mo files the app reads. Then fill the new msgstr and run it again; `check` tells.
i18n: $(STAMP)
	$(BIN)/python -m tools.i18n all
	$(BIN)/python -m tools.i18n check

screenshots: $(STAMP)
	$(BIN)/python -m tests.gui.screenshots

# The installable app (packaging/README.md): one-folder build, .tar.gz, .deb, SHA256SUMS in dist/.
PKG_STAMP := $(VENV)/.package-installed
$(PKG_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,dev,package]'
	touch $(PKG_STAMP)

package: $(PKG_STAMP)
	$(BIN)/python packaging/build.py

# The frozen build with the venv out of reach; as root with CB_TEST_DEB_INSTALL=1 also the .deb.
package-smoke: $(PKG_STAMP)
	$(BIN)/python -m pytest tests/package

# A second build of the same commit must give the same file list as dist/consentbooth.
package-repro: $(PKG_STAMP)
	$(BIN)/python packaging/build.py repro

clean:
	rm -rf $(VENV) build dist *.egg-info
