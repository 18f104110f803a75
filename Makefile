# Panel's commands. On a fresh machine (Python 3.11+ and Node.js) `make run` and `make test` do all
# the set-up themselves; each step is skipped when its inputs have not changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask
export FLASK_APP := wsgi.py

.PHONY: run test lint bench bench-load setup assets db demo clean

run: db demo
	@echo "Serving Panel on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/ruff check panel tests migrations wsgi.py
	$(BIN)/bandit --quiet --recursive panel --severity-level medium
	$(BIN)/lint-imports
	# mypy 2.4 once stopped with an INTERNAL ERROR on a fresh clone and passed on every run after
	# it: once more from an empty cache, so that only a real type error (which fails both) fails.
	$(BIN)/mypy --show-traceback || { rm -rf .mypy_cache; $(BIN)/mypy --show-traceback; }
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check panel tests migrations wsgi.py
	$(BIN)/ruff format --check panel tests wsgi.py
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m tests.bench
	$(BIN)/python -m tests.bench_register
	$(BIN)/python -m tests.bench_scale
	$(BIN)/python -m tests.bench_minutes
	$(BIN)/python -m tests.bench_home
	$(BIN)/python -m tests.anonymise.evaluate

# The load test (tests/load/run.py; README, "Performance"): Locust against gunicorn on PostgreSQL,
# on this machine only. Each number of users in USERS runs the mix for DURATION, then each page,
# /healthz and the bare endpoint alone for PAGE_SECONDS. Results in bench-results/.
LOAD_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/national
USERS ?= 10 50
DURATION ?= 1m
PAGE_SECONDS ?= 10s
WAIT ?= 1-3
WORKERS ?= 3
# 1, 2 (two gunicorn instances sharing PostgreSQL and Redis behind nginx), or "1 2": both, compared
INSTANCES ?= 1
MAX_REQUESTS ?= 1000000
BENCH_ARGS ?=

bench-load: setup $(VENV)/.installed-bench
	$(BIN)/python -m tests.load.run --database '$(LOAD_DATABASE_URL)' --users $(USERS) \
		--duration $(DURATION) --page-seconds $(PAGE_SECONDS) --wait $(WAIT) \
		--workers $(WORKERS) --instances $(INSTANCES) --max-requests $(MAX_REQUESTS) $(BENCH_ARGS)

setup: $(VENV)/.installed assets

assets: static/dist/.built

db: setup
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo-data

# Python packages, pinned by constraints.txt (regenerate it with `pip freeze` after a deliberate
# upgrade).
$(VENV)/.installed: setup.cfg pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

# Locust for `make bench-load`, on top of the test set (the `bench` extra in setup.cfg).
$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,bench]'
	touch $@

# GOV.UK Frontend from the npm registry (pinned by package-lock.json), compiled with Arial in
# place of GDS Transport. Nothing is copied from it but the stylesheet and script.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/.built: node_modules/.installed static/scss/panel.scss
	mkdir -p static/dist
	node_modules/.bin/sass --load-path=node_modules/govuk-frontend/dist --style=compressed \
		--no-source-map --quiet-deps static/scss/panel.scss static/dist/panel.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/dist/
	touch $@

clean:
	rm -rf $(VENV) node_modules static/dist .pytest_cache .ruff_cache .mypy_cache .import_linter_cache *.egg-info
