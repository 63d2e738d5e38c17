# Every target sets up what it needs: a fresh clone needs only Python 3.11+, Node.js and npm.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_PY := $(VENV)/.installed
STAMP_JS := node_modules/.installed

.PHONY: install serve build check lint test test-fast bench clean functions

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

# Lint first (seconds), then every test: Ruff, the types (mypy, on the package), the layers (import-linter,
# contracts in pyproject.toml), then the whole suite.
test: install lint
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# While you work: the same checks and every test but the slow ones (those that build a whole site,
# and the browser suite). `make test` and CI still run everything.
test-fast: lint
	$(BIN)/python -m pytest -m "not slow"

# Figures, not tests: build speed against MkDocs, page weight, form functions (see bench/run.py).
$(VENV)/.installed-bench: pyproject.toml $(STAMP_PY)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

bench: install $(VENV)/.installed-bench
	$(BIN)/python bench/run.py

# The Lambda bundle for template.yaml: our package, templates, the build's manifest and the
# runtime dependencies for Python 3.12 on Linux, zipped in build/lambda.zip.
LAMBDA_DEPENDENCIES := flask wtforms apig-wsgi "psycopg[binary]" notifications-python-client email-validator pyjwt nhsuk-frontend-jinja pyyaml python-frontmatter markdown frozen-flask
functions: build
	rm -rf build/lambda build/lambda.zip
	mkdir -p build/lambda/build
	# Lambda needs wheels for Linux and Python 3.12; docopt (used by the Notify client) ships only a
	# source archive, so it is built here as a pure-Python wheel first.
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir build/wheels docopt
	# The versions the tests ran with: the compiled templates are only used with the same Jinja and nhsuk-frontend-jinja.
	$(BIN)/python -m pip freeze --exclude-editable > build/constraints.txt
	$(BIN)/python -m pip install --quiet --target build/lambda --platform manylinux2014_x86_64 \
		--implementation cp --python-version 3.12 --only-binary=:all: --find-links build/wheels \
		--constraint build/constraints.txt $(LAMBDA_DEPENDENCIES)
	cp -r migration_guide functions templates build/lambda/
	cp -r build/functions build/compiled-templates build/lambda/build/
	cd build/lambda && $(abspath $(BIN))/python -m zipfile -c ../lambda.zip .
	@echo "Lambda bundle: build/lambda.zip"

clean:
	rm -rf site build instance/cache .pytest_cache
