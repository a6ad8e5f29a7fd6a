# dieuhanh: two commands for a newcomer.
#   make run    install everything, migrate, load reference and demo data, serve with a worker
#   make test   install what the tests need, run the whole suite on SQLite and on PostgreSQL
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
CONSTRAINTS := requirements/constraints.txt

STAMP_RUN    := $(VENV)/.installed-run
STAMP_TEST   := $(VENV)/.installed-test
STAMP_NODE   := node_modules/.installed
STAMP_VENDOR := dieuhanh/static/vendor/.installed

.PHONY: help run test test-sqlite test-postgres lint format messages lock install assets system-deps clean

help:
	@echo "make run    - install, migrate, load data and serve at http://127.0.0.1:$(PORT) with a worker"
	@echo "make test   - run the whole suite on SQLite and PostgreSQL (with the browser tests)"
	@echo "make lint   - ruff check and ruff format --check"
	@echo "make format - ruff format and ruff check --fix"
	@echo "make messages - extract translatable strings into the Vietnamese catalog and compile it"
	@echo "make lock   - re-resolve the pinned Python dependencies (requirements/constraints.txt)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)

$(STAMP_RUN): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install -c $(CONSTRAINTS) -e .
	@touch $@

$(STAMP_TEST): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install -c $(CONSTRAINTS) -e ".[test]"
	@touch $@ $(STAMP_RUN)

$(STAMP_NODE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMP_VENDOR): $(STAMP_NODE) scripts/vendor-assets.mjs
	node scripts/vendor-assets.mjs
	@touch $@

install: $(STAMP_RUN) assets
assets: $(STAMP_VENDOR)

run: $(STAMP_RUN) $(STAMP_VENDOR)
	@PORT=$(PORT) scripts/run-demo.sh

system-deps:
	@scripts/ensure-system-packages.sh

test: $(STAMP_TEST) $(STAMP_VENDOR) system-deps lint
	@scripts/test-all.sh

test-sqlite: $(STAMP_TEST) $(STAMP_VENDOR) system-deps
	@scripts/test-all.sh sqlite

test-postgres: $(STAMP_TEST) $(STAMP_VENDOR) system-deps
	@scripts/test-all.sh postgres

lint: $(STAMP_TEST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP_TEST)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(STAMP_RUN)
	cd dieuhanh && ../$(BIN)/dieuhanh makemessages -l vi --no-obsolete --add-location file \
		--ignore 'static/*'
	cd dieuhanh && ../$(BIN)/dieuhanh compilemessages -l vi

# Re-resolve every Python dependency into the constraints file that installs use.
lock:
	rm -rf var/lockvenv && $(PYTHON) -m venv var/lockvenv
	var/lockvenv/bin/python -m pip --disable-pip-version-check -q install -e ".[test]"
	( echo "# Pinned versions of every Python dependency; regenerate with 'make lock'."; \
	  var/lockvenv/bin/python -m pip freeze --exclude-editable --all | grep -v -E '^(pip|setuptools|wheel)==' ) > $(CONSTRAINTS)
	rm -rf var/lockvenv

clean:
	rm -rf $(VENV) node_modules dieuhanh/static/vendor var/test_* .pytest_cache
