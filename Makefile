# Chefsresan. `make run` starts everything on one laptop; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# The worker builds e-mail links from it (config.py: the development BASE_URL).
export PORT
FLASK := $(BIN)/flask --app lifecycle
CELERY := $(BIN)/celery -A worker.celery_app
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck check install translations extract-messages worker beat web bench clean browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations

# Compiled catalogues are build output, never committed.
translations: $(STAMP)
	$(BIN)/pybabel compile -d lifecycle/translations

# Refresh the catalogue template and merge new strings into sv and en.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k deferred -k deferred_plural:1,2 --no-location --sort-output -o lifecycle/translations/messages.pot lifecycle
	$(BIN)/pybabel update -i lifecycle/translations/messages.pot -d lifecycle/translations --no-fuzzy-matching --ignore-obsolete

run: install
	$(FLASK) db upgrade
	$(FLASK) platform load lifecycle/platforms/orebro.yaml
	$(FLASK) seed-demo
	@echo "Starting the web app on http://127.0.0.1:$(PORT), a Celery worker and beat. Ctrl-C stops all three."
	@# Background jobs of a script ignore Ctrl-C, so the shell stops them itself: on Ctrl-C, on
	@# `kill`, or when one of the three exits. The worker finishes its running task, then its pool exits.
	@mkdir -p instance; pids=""; \
	  stop() { trap - INT TERM EXIT; kill -TERM $$pids 2>/dev/null; wait; echo "Stopped the web app, worker and beat."; }; \
	  trap stop INT TERM EXIT; \
	  $(CELERY) worker --loglevel=INFO --concurrency=2 & pids="$$pids $$!"; \
	  $(CELERY) beat --loglevel=INFO --schedule=instance/celerybeat-schedule & pids="$$pids $$!"; \
	  $(FLASK) run --port $(PORT) & pids="$$pids $$!"; \
	  wait -n

web: install
	$(FLASK) run --port $(PORT)

worker: install
	$(CELERY) worker --loglevel=INFO

beat: install
	$(CELERY) beat --loglevel=INFO --schedule=instance/celerybeat-schedule

# The browser tests drive Debian's Chromium; install it when it is missing (needs root, as on CI).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Chromium for the browser tests: sudo apt-get install chromium" >&2; exit 1; fi; }

test: install browser
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: install
	@for script in $(wildcard bench/*.py); do $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
	find lifecycle/translations -name '*.mo' -delete
