# Every target sets up what it needs: a fresh clone needs only Python 3.11+, Node.js and npm.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_PY := $(VENV)/.installed
STAMP_JS := node_modules/.installed

.PHONY: install serve build check test bench clean

install: $(STAMP_PY) $(STAMP_JS)

$(STAMP_PY): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(STAMP_JS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

serve: install
	$(BIN)/guide serve

build: install
	$(BIN)/guide build

check: install
	$(BIN)/guide check

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf site build instance/cache .pytest_cache
