# Clientbook. Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DB ?= sqlite
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres lint bench venv system-deps messages clean

$(VENV)/.installed: pyproject.toml scripts/bootstrap-venv
	scripts/bootstrap-venv
	touch $@

venv: $(VENV)/.installed

## make run: migrate, load the demo into an empty database, serve on 127.0.0.1:$(PORT)
## with one background worker beside the server.
run: venv
	@mkdir -p var
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py demo --if-empty
	@echo
	@echo "Clientbook: http://127.0.0.1:$(PORT)/   (logins: owner@, admin@, professional@, reception@"
	@echo "            at therapy.demo and vet.demo; password: demo-password)"
	@echo
	@# One worker beside the server (messages, series), stopped when the server stops.
	DEBUG=true $(PY) manage.py worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: lint, migrations check, the whole suite on SQLite and on PostgreSQL, browser tests.
test: venv system-deps lint test-sqlite test-postgres

system-deps:
	scripts/system-deps

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run --settings=clientbook.test_settings

test-sqlite: venv
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

test-postgres: venv
	scripts/with-postgres $(PY) -m pytest -n 2 $(PYTEST_ARGS)

## make bench: seeds a large practice with its agenda and measures the list, search, counts,
## week agenda and booking (see README).
bench: venv
ifeq ($(DB),postgres)
	scripts/with-postgres $(PY) manage.py bench $(BENCH_ARGS)
else
	@mkdir -p var
	SQLITE_PATH=var/bench.sqlite3 $(PY) manage.py bench $(BENCH_ARGS)
endif

## make messages: refresh the translation catalogs after changing user-visible strings.
messages: venv
	$(PY) manage.py makemessages --all --no-obsolete --ignore='.venv/*' --ignore='var/*'
	$(PY) manage.py compilemessages --ignore='.venv/*'

clean:
	rm -rf $(VENV) staticfiles .hypothesis .schemathesis
