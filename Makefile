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

# axe-core for the browser tests (Chart.js is vendored in static/): `npm ci` whenever
# package-lock.json changed; without npm the browser tests skip with a reason (CI installs it).
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else echo "npm not found: the browser tests will skip (apt-get install nodejs npm)"; fi

install: $(STAMP) $(NODE_STAMP)

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
	rm -rf $(VENV) node_modules var db.sqlite3 staticfiles

# Benchmarks (bench/run.py): PostgreSQL only, in a database kept for them (its data is replaced).
.PHONY: bench bench-small
bench: install
	$(PY) bench/run.py --size large

bench-small: install
	$(PY) bench/run.py --size small
