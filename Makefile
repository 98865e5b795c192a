# factcheck: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
FC      = $(BIN)/factcheck

.PHONY: run demo test lint check bench clean

# A virtualenv with factcheck installed (editable); redone when pyproject.toml changes.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[postgres]'
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

## run: migrate the database (./factcheck.db, or $$FACTCHECK_DATABASE_URL), seed the article,
## recheck its sources once, list its claims and count them by kind and verdict.
## The recheck's exit status 3 (verdicts need review) or 4 (offline) is reported, not fatal.
run: $(BIN)/.installed
	$(FC) init
	$(FC) seed seeds/
	@echo
	$(FC) recheck || { code=$$?; [ $$code -ge 3 ] || exit $$code; echo "(recheck exit status $$code)"; }
	@echo
	$(FC) claims
	@echo
	$(FC) summary
	@echo
	$(FC) reports reports/
	$(FC) reports --audience desk reports/

## demo: the whole loop against a fixture web on loopback (a DEMONSTRATION; see factcheck/demo.py)
demo: $(BIN)/.installed
	$(BIN)/python -m factcheck.demo demo

## test: install the dev dependencies (and Debian's chromium and chromium-driver, for the
## browser tests, when running as root) and run the whole suite (SQLite and PostgreSQL)
test: $(BIN)/.installed-dev chromium
	$(BIN)/python -m pytest

.PHONY: chromium
chromium:
	@{ command -v chromium && command -v chromedriver; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium chromium-driver) >/dev/null || echo "could not install chromium: the browser tests will skip"; \
	  else echo "chromium or chromedriver is not installed: the browser tests will skip"; fi; }

## lint: ruff, mypy, and the layers contract (import-linter; see pyproject.toml)
lint: $(BIN)/.installed-dev
	$(BIN)/ruff check factcheck tests migrations bench
	$(BIN)/mypy
	$(BIN)/lint-imports

## check: lint and test, as CI does
check: lint test

## bench: the benchmarks (not part of test); tables on stdout, JSON in bench/results/.
## The suite's scale runs (100,000 sources on SQLite and PostgreSQL) take about 10 minutes;
## bench/due.py fills 1,000,000 sources on each database (about a minute each).
bench: $(BIN)/.installed-dev
	$(BIN)/python -m pip install --quiet 'requests>=2.31' pyinstrument
	$(BIN)/python bench/real_pages.py
	$(BIN)/python bench/night.py
	$(BIN)/python bench/anchoring.py
	$(BIN)/python bench/claims.py
	$(BIN)/python bench/matching.py
	$(BIN)/python bench/fit_weights.py
	$(BIN)/python bench/due.py
	$(BIN)/python bench/rerun.py
	$(BIN)/python bench/suite.py

clean:
	rm -rf $(VENV) factcheck.db factcheck.db-wal factcheck.db-shm factcheck.db.lock demo archive \
		reports build \
		.pytest_cache .mypy_cache .ruff_cache
