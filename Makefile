# Two commands matter: `make demo` (set up and serve the demo district) and `make test` (set up and run every gate).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WAYPOINT := $(BIN)/waypoint
HOST ?= 127.0.0.1:8000

.PHONY: demo test lint pytest bench bench-operations serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

# The demo serves as a district would see it: DEBUG off, so a missing page is Waypoint's own 404 page, not
# Django's debug page; WhiteNoise serves the static files.
demo: $(VENV)/.installed
	$(WAYPOINT) migrate --noinput
	$(WAYPOINT) demo
	@echo "Waypoint is at http://$(HOST)/ (Ctrl-C stops it)."
	@echo "A background worker runs beside it (waypoint worker)."
	WAYPOINT_DEBUG=0 WAYPOINT_EXPECT_WORKER=1 sh -c '$(WAYPOINT) worker --verbosity 0 & worker=$$!; \
		trap "kill $$worker 2>/dev/null" EXIT INT TERM; $(WAYPOINT) runserver $(HOST)'

# The production profile on one machine (docs/deployment.md, step 1): gunicorn on HOST, PostgreSQL, WhiteNoise.
# It needs DATABASE_URL (PostgreSQL) and SECRET_KEY in the environment; WAYPOINT_ALLOWED_HOSTS defaults to this
# machine. It migrates, collects the static files WhiteNoise serves (<WAYPOINT_VAR_DIR>/static) and starts
# gunicorn: 5 workers, gunicorn's 2 x cores + 1 for two cores; a 120 s timeout for the bulk recomputes that
# still run inside the request; a task worker (`waypoint worker`) runs imports, refreshes and the nightly jobs
# beside it.
serve: export WAYPOINT_ENV := production
serve: export WAYPOINT_ALLOWED_HOSTS ?= 127.0.0.1,localhost
serve: export WAYPOINT_EXPECT_WORKER := 1
serve: SERVE_WORKERS ?= 5
serve: $(VENV)/.installed
	@case "$$DATABASE_URL" in postgres://*|postgresql://*|pgsql://*) ;; *) \
		echo "make serve: set DATABASE_URL to a PostgreSQL URL, e.g. postgres://waypoint:PASSWORD@127.0.0.1:5432/waypoint" >&2; \
		exit 2;; esac
	@test -n "$$SECRET_KEY" || { \
		echo "make serve: set SECRET_KEY to 50 random characters: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'" >&2; \
		exit 2; }
	$(WAYPOINT) migrate --noinput
	$(WAYPOINT) collectstatic --noinput
	sh -c '$(WAYPOINT) worker & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
		$(BIN)/gunicorn --bind $(HOST) --workers $(SERVE_WORKERS) --timeout 120 waypoint.wsgi'

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint pytest

# Every benchmark prints JSON lines. They run on PostgreSQL at 127.0.0.1:5432, as in CI, each in a scratch
# database it drops and recreates (bench/load.py in its own, bench_load); `make bench BENCH_DATABASE_URL=`
# runs those that take a database URL on a fresh SQLite file instead. Two operations benchmarks run only when
# asked (`make bench-operations`, as root): bench/audit_scale.py generates 100 M audit events (about 45 min
# and 30 GB on two cores) and bench/failures.py starts its own PostgreSQL cluster and mounts a tmpfs.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/waypoint_bench
LONG_BENCHES := bench/audit_scale.py bench/failures.py
bench: $(VENV)/.installed-dev
	@for script in $(filter-out $(LONG_BENCHES),$(wildcard bench/[!_]*.py)); do \
		BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python $$script || exit 1; done

bench-operations: $(VENV)/.installed-dev
	@for script in $(LONG_BENCHES); do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
