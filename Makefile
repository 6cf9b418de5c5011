# Two commands set everything up on a fresh machine: `make test` and `make run`.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp

.PHONY: run manage test check lint format headers unit install system-deps clean

$(STAMP): pyproject.toml
	@bash tools/install.sh $(PYTHON) $(VENV)
	@touch $(STAMP)

install: $(STAMP)

## system-deps: install/start what a clean machine lacks (ClickHouse, a stopped PostgreSQL)
system-deps:
	@bash tools/ensure_system.sh

## run: the whole stack on one machine with embedded defaults (Ctrl+C stops everything)
run: install
	$(PY) -m ginkgo_site.devstack.launcher $(ARGS)

## manage: a manage.py command against the running stack (var/stack.env says where it is), e.g.
##   make manage ARGS='portfolio_migrate demo.sma_aapl --to node-2'
manage: install
	@$(PY) manage.py $(ARGS)

## test: code checks, then the whole suite against real services
test: install system-deps check
	$(PY) -m pytest $(PYTEST_ARGS)

## unit: the fast unit tests only (no services)
unit: install
	$(PY) -m pytest tests/unit -q

# makemigrations is a check, not a service: DEBUG opts in to the dev SECRET_KEY for it, and
# the warning that no database answers its history check is not shown.
check: lint
	$(PY) tools/headers.py
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	@mkdir -p var
	DJANGO_DEBUG=true $(PY) -W ignore::RuntimeWarning manage.py makemigrations --check --dry-run

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## format / headers: rewrite code formatting and the computed header lines
format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

headers: install
	$(PY) tools/headers.py --fix

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
