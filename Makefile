# The two set-up commands of the README: `make run` and `make test`.
# Each creates .venv when missing and installs what is needed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench clean sandbox package smoke

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[gui,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m nexpura_desktop $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check nexpura_desktop tests
	$(BIN)/ruff format --check nexpura_desktop tests

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks $(BENCH)

# The one-folder bundle for this OS (PyInstaller; see packaging/ and the README).
PACKAGE_STAMP := $(VENV)/.installed-package

$(PACKAGE_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install -q -e '.[gui,package]'
	touch $(PACKAGE_STAMP)

package: $(PACKAGE_STAMP)
	$(BIN)/python packaging/build.py

smoke: package
	bash packaging/smoke_test.sh dist/nexpura-desktop

sandbox: $(STAMP)
	$(BIN)/python -m nexpura_desktop sandbox $(ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache
