# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Exact versions with their hashes (pyproject.toml keeps the ranges; `make lock` refreshes these).
LOCK := requirements/development.txt
LOCK_PRODUCTION := requirements/production.txt
UV_COMPILE = $(BIN)/uv pip compile --quiet --generate-hashes --universal --python-version 3.11 --custom-compile-command "make lock"

.PHONY: run test install lock audit lint format messages browser pgclient clean manual-screenshots bench bench-tools

# Only what the lock file names, each checked against its hash; then the project itself, without its deps.
$(INSTALLED): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(INSTALLED)

install: $(INSTALLED)

## Re-resolve the lock files from pyproject.toml's ranges, keeping the pinned versions that still fit
## (`make lock LOCK_ARGS=--upgrade` moves every package to its newest allowed release); commit the result.
## The production lock takes the development lock's versions, so both install the same release of a package.
lock: $(INSTALLED)
	$(UV_COMPILE) $(LOCK_ARGS) pyproject.toml requirements/build.in --extra test -o $(LOCK)
	$(UV_COMPILE) pyproject.toml requirements/build.in -c $(LOCK) -o $(LOCK_PRODUCTION)

## Known vulnerabilities in the locked versions (exceptions: requirements/audit-exceptions.txt).
audit: $(INSTALLED)
	$(BIN)/python -m crm.devstack audit

## Every bench/ script at a small size (BENCH_ROWS, default 50,000 rows per table), one table of p50/p95/queries
## against the budgets; exit 1 when a case is over. Databases crm_bench_small*, loaded on the first run.
bench: $(INSTALLED) bench-tools
	$(BIN)/python bench/run_all.py

## wrk, the load generator of bench/render.py (Debian's package), installed when missing.
bench-tools:
	@if ! command -v wrk >/dev/null 2>&1; then \
		echo "Installing wrk"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; \
	fi

## Start PostgreSQL, Redis, migrate, load demo data, serve on http://127.0.0.1:8000 with a worker and beat.
run: $(INSTALLED)
	$(BIN)/python -m crm.devstack run

## The whole suite: lint, unit, integration on PostgreSQL, a real Celery worker, headless Chromium.
test: $(INSTALLED) browser pgclient
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m crm.devstack audit
	$(BIN)/python -m crm.devstack test $(PYTEST_ARGS)

## Debian's Chromium and its driver for the browser tests, installed when missing.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
		echo "Installing chromium and chromium-driver"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; \
	fi
	@# Chinese text in the journeys' screenshots (the user manual's pictures) needs a CJK font.
	@if ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
		echo "Installing fonts-noto-cjk"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-noto-cjk; \
	fi

## Retake the user manual's screenshots (docs/<language>/img/) from the browser journeys.
manual-screenshots: $(INSTALLED) browser
	CRM_SCREENSHOTS=docs $(BIN)/python -m pytest tests/browser -k journey -q

## pg_dump/pg_restore for the backup tests against a server on 127.0.0.1, installed when missing.
## (The embedded PostgreSQL used when no server answers brings its own; see README "Backups".)
pgclient:
	@if ! command -v pg_dump >/dev/null 2>&1 || ! command -v pg_restore >/dev/null 2>&1; then \
		echo "Installing postgresql-client"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql-client; \
	fi

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Refresh the translation catalogs after changing strings, then compile them.
messages: $(INSTALLED)
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --no-obsolete --no-location --ignore=.venv --ignore=var --ignore=staticfiles --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
