# Panel's commands. On a fresh machine (Python 3.11+ and Node.js) `make run` and `make test` do all
# the set-up themselves; each step is skipped when its inputs have not changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask
export FLASK_APP := wsgi.py

.PHONY: run test lint bench setup assets db demo clean

run: db demo
	@echo "Serving Panel on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/ruff check panel tests migrations wsgi.py
	$(BIN)/bandit --quiet --recursive panel --severity-level medium
	$(BIN)/lint-imports
	$(BIN)/mypy
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
