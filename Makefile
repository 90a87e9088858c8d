# Two commands on a fresh machine: `make run` (portal + worker + beat with demo data on SQLite)
# and `make test` (the whole suite). See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The lock files (pip-tools, with hashes): requirements/test.txt is what `make install` and CI
# install, requirements/production.txt (the same versions, without the test tools) what the
# Dockerfile installs. `make lock` regenerates both from pyproject.toml.
LOCK_TEST := requirements/test.txt
LOCK_PRODUCTION := requirements/production.txt
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --all-build-deps \
	--strip-extras --no-emit-find-links --no-emit-index-url
# `make lock LOCK_ARGS=--upgrade` moves every pin to the newest allowed release;
# `LOCK_ARGS="--upgrade-package django"` only one.
LOCK_ARGS ?=

.PHONY: install lock run test test-slow lint migrate seed clean

$(STAMP): pyproject.toml $(LOCK_TEST)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24.2,<27"
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK_TEST)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# axe-core for the browser tests (Chart.js is vendored in static/): `npm ci` whenever
# package-lock.json changed; without npm the browser tests skip with a reason (CI installs it).
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else echo "npm not found: the browser tests will skip (apt-get install nodejs npm)"; fi


# The 1EdTech Open Badges 2.0 validator, in a virtualenv of its own (its pins clash with ours):
# the suite runs it against a live test server.
OB2_VENV := .venv-ob2
OB2_STAMP := $(OB2_VENV)/.installed
OB2_REQUIREMENTS := tests/tools/ob2_validator/requirements.txt

$(OB2_STAMP): $(OB2_REQUIREMENTS)
	$(PYTHON) -m venv $(OB2_VENV)
	$(OB2_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r $(OB2_REQUIREMENTS)
	touch $(OB2_STAMP)

install: $(STAMP) $(OB2_STAMP) $(NODE_STAMP)

lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "pip-tools>=7.4,<8"
	$(PIP_COMPILE) $(LOCK_ARGS) --extra test -o $(LOCK_TEST) pyproject.toml
	$(PIP_COMPILE) --constraint $(LOCK_TEST) -o $(LOCK_PRODUCTION) pyproject.toml

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
	rm -rf $(VENV) $(OB2_VENV) node_modules var db.sqlite3 staticfiles

# Benchmarks (bench/run.py): PostgreSQL only, in a database kept for them (its data is replaced).
.PHONY: bench bench-small bench-scale
bench: install
	$(PY) bench/run.py --size large

bench-small: install
	$(PY) bench/run.py --size small

# The growth curve: every size a fresh data set (docs/scale.json, docs/growth.png). 10,000,000
# records take hours and about 20 GB: `make bench-scale SCALE_SIZES=100000,1000000` for less.
SCALE_SIZES ?= 100000,1000000,10000000
bench-scale: install
	$(PY) bench/scale.py --sizes $(SCALE_SIZES)
