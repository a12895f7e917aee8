# `make run` starts the site with its worker and scheduler; `make test` runs the suite
# against throwaway PostgreSQL and Redis. Both set up whatever is missing first.
.DEFAULT_GOAL := help
.PHONY: help run test test-fast lint system-redis system-postgres system-chromium

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=
CHROMIUM := /usr/bin/chromium
# Run every manage.py step through honcho so that a .env file applies to them exactly
# as it applies to the processes of the Procfile.
MANAGE := $(BIN)/honcho run $(BIN)/python manage.py
# CI runs as root, where sudo may not even exist.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_INSTALL := $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends
# Logs of the Python processes reach the terminal as they happen, not in blocks.
export PYTHONUNBUFFERED := 1
# The browser tests drive Debian's Chromium: Playwright never fetches a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# pytest-xdist: a worker per core, at most 4; the tests that start processes
# (tests/integration/) all run in one of them, one at a time (tests/conftest.py).
PARALLEL := -n auto --maxprocesses 4

help:
	@echo "make run                 set up (venv, Redis, database, data, staff login) and start"
	@echo "                         web on http://127.0.0.1:8000, worker and beat; Ctrl-C stops all"
	@echo "make test [ARGS=...]     run pytest against throwaway PostgreSQL and Redis"
	@echo "                         e.g. make test ARGS=\"-k importer\""
	@echo "make test-fast [ARGS=..] the same without the tests that start processes"
	@echo "                         (browser, Celery workers and beats, web servers)"
	@echo "make lint                ruff check"

# Development mode for the site `make run` starts (debug pages, runserver's static files);
# with nothing set, the settings run as production would. A DEBUG in .env still wins.
run: export DEBUG ?= true
run: $(VENV)/.runtime.stamp system-redis
	mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) import_commitments data/commitments.json --if-empty
	$(MANAGE) create_staff_login
	$(MANAGE) flag_commitments
	$(MANAGE) make_release --if-none
	$(MANAGE) send_reminders
	exec $(BIN)/honcho start

test: $(VENV)/.test.stamp node_modules/.ci.stamp system-redis system-postgres system-chromium
	scripts/with-test-services $(BIN)/pytest $(PARALLEL) $(ARGS)

test-fast: $(VENV)/.test.stamp system-redis system-postgres
	scripts/with-test-services $(BIN)/pytest $(PARALLEL) -m "not integration" $(ARGS)

lint: $(VENV)/.test.stamp
	$(BIN)/ruff check .

$(BIN)/python:
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || { $(APT_INSTALL) python3.11 python3.11-venv; }
	$(PYTHON) -m venv $(VENV)

# Stamps: a second run skips pip, and a changed requirements file installs again.
$(VENV)/.runtime.stamp: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test.stamp: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-test.txt
	touch $@

# axe-core for the accessibility tests, exactly as package-lock.json pins it. npm ci
# empties node_modules first, so the stamp inside it goes too if the install fails.
node_modules/.ci.stamp: package.json package-lock.json
	@command -v npm >/dev/null || { $(APT_INSTALL) npm; }
	npm ci --no-audit --no-fund
	touch $@

system-redis:
	@command -v redis-server >/dev/null || { $(APT_INSTALL) redis-server; }

# The test script finds PostgreSQL 15's initdb on PATH or in its Debian directory.
system-postgres:
	@command -v initdb >/dev/null || test -x /usr/lib/postgresql/15/bin/initdb \
		|| { $(APT_INSTALL) postgresql-15; }

# The browser tests (tests/integration/browser) launch Debian's Chromium from this path.
system-chromium:
	@test -x $(CHROMIUM) || { $(APT_INSTALL) chromium; }
