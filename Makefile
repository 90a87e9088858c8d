# Two commands on a fresh machine: `make run` (portal + worker + beat with demo data on SQLite)
# and `make test` (the whole suite). See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test test-slow lint migrate seed clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	DEBUG=$${DEBUG:-on} $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=$${DEBUG:-on} $(PY) manage.py seed_demo

run: seed
	DEBUG=$${DEBUG:-on} PY=$(PY) bash scripts/run-dev.sh

test: install
	$(PY) -m pytest

# Load and fault tests with real processes (gunicorn, sweeps, Redis, a PostgreSQL cluster of their
# own); PostgreSQL only. CI runs them as their own step.
test-slow: install
	$(PY) -m pytest -m slow

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=on $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var db.sqlite3 staticfiles

# Benchmarks (bench/run.py): PostgreSQL only, in a database kept for them (its data is replaced).
.PHONY: bench bench-small
bench: install
	$(PY) bench/run.py --size large

bench-small: install
	$(PY) bench/run.py --size small
