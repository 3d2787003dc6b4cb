# Sổ tay đảng viên điện tử — the two commands (CONTRACT.md) and their helpers.
#
#   make run    on a fresh machine: create .venv, install requirements.txt, compile the
#               translation catalogues, migrate, seed a tiny demo province if the database is
#               empty, print the address and demo logins, serve http://127.0.0.1:8000 with the
#               embedded defaults (SQLite file db.sqlite3, jobs in-process, database search).
#   make test   create .venv, install requirements-dev.txt, compile the catalogues, run the
#               whole pytest suite (DATABASE_URL / REDIS_URL from the environment, as in CI).
#   make lint   ruff (lint and format), makemigrations --check, check --deploy on the production settings.
#   make bench  the foundation benchmarks on PostgreSQL at province scale (bench/README.md,
#               figures in bench/RESULTS.md).
#   make speech-check  are the Debian packages for the audio versions of documents installed?
#               (apt-get install espeak-ng opus-tools; without them pages work, with no audio)
#
# Variables: PYTHON (python3), HOST (127.0.0.1), PORT (8000), PYTEST_ARGS, SEED_SCALE (tiny).

PYTHON      ?= python3
VENV        ?= .venv
PY          := $(VENV)/bin/python
PIP         := $(PY) -m pip --disable-pip-version-check --no-input
HOST        ?= 127.0.0.1
PORT        ?= 8000
SEED_SCALE  ?= tiny
PYTEST_ARGS ?=
# `make run` is the demo: it ignores a DATABASE_URL/REDIS_URL/ELASTICSEARCH_URL set in the shell
# and uses the embedded defaults. `make run RUN_ENV=` keeps the shell's environment instead.
RUN_ENV     ?= env -u DATABASE_URL -u REDIS_URL -u ELASTICSEARCH_URL DJANGO_SETTINGS_MODULE=config.settings.dev
# The demo's console shows warnings and the request lines, not every job and page save at INFO
# (`make run DEMO_LOG_LEVEL=INFO` to see them).
DEMO_LOG_LEVEL ?= WARNING

.PHONY: run test lint bench venv install install-dev catalogues clean help speech-check
.DEFAULT_GOAL := help

help:
	@sed -n '1,14p' Makefile | sed 's/^# \{0,1\}//'

# --- environment ----------------------------------------------------------------------------
$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-runtime: requirements.txt | $(PY)
	$(PIP) install -qq -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(PY)
	$(PIP) install -qq -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

venv: $(PY)
install: $(VENV)/.installed-runtime
install-dev: $(VENV)/.installed-dev

# compile_catalogues is optional: the target works before the command exists, and fails if
# the command exists and fails.
catalogues: | $(PY)
	@if $(PY) manage.py help compile_catalogues >/dev/null 2>&1; then \
		$(PY) manage.py compile_catalogues; \
	else echo "(compile_catalogues: command not present, skipped)"; fi

# --- make run -------------------------------------------------------------------------------
# Quiet on purpose: one line per step, then the server's banner and, LAST, the address and one
# demo login per role (run_demo = runserver + demo_logins), where a newcomer sees them.
run: install
	@$(RUN_ENV) $(MAKE) --no-print-directory catalogues >/dev/null
	@echo "Cập nhật cơ sở dữ liệu (migrate)…"
	@$(RUN_ENV) DJANGO_LOG_LEVEL=$(DEMO_LOG_LEVEL) $(PY) manage.py migrate --noinput -v 0
	@$(RUN_ENV) DJANGO_LOG_LEVEL=$(DEMO_LOG_LEVEL) $(PY) manage.py seed_demo --scale $(SEED_SCALE) --if-empty
	@$(RUN_ENV) DJANGO_LOG_LEVEL=$(DEMO_LOG_LEVEL) $(PY) manage.py run_demo $(HOST):$(PORT)

# --- make test ------------------------------------------------------------------------------
# Exits with pytest's own code (make reports it as "Error N"). Serial by default: on the 2-core
# machine `-n 2` (pytest-xdist) was slower (each worker migrates its own test database and the
# workers share the cores with PostgreSQL): `make test PYTEST_ARGS="-n 2"` to try it.
test: install-dev
	@$(MAKE) --no-print-directory catalogues
	$(PY) -m pytest $(PYTEST_ARGS)

# --- make lint ------------------------------------------------------------------------------
LINT_ENV := DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_ALLOWED_HOSTS=sotay.example.org \
	REDIS_URL=redis://127.0.0.1:6379/0 \
	SECRET_KEY=lint-only-0f3b7c1e9a5d42b8a6e0c7d1f2b3a4c5d6e7f8091a2b3c4d5e6f7a8b9c0d1e2f

# All three run even when one fails; the target fails if any did.
lint: install-dev
	@rc=0; \
	echo "--- ruff check ."; $(VENV)/bin/ruff check . || rc=1; \
	echo "--- ruff format --check ."; $(VENV)/bin/ruff format --check . || rc=1; \
	echo "--- makemigrations --check"; $(PY) manage.py makemigrations --check --dry-run || rc=1; \
	echo "--- check --deploy (config.settings.production)"; \
	$(LINT_ENV) $(PY) manage.py check --deploy --fail-level WARNING || rc=1; \
	exit $$rc

# --- make bench -----------------------------------------------------------------------------
# Uses the database sotay_bench on the local PostgreSQL (recreated by bench_seed.sh).
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/sotay_bench

bench: install-dev
	DATABASE_URL=$(BENCH_DB) bash bench/bench_seed.sh
	DATABASE_URL=$(BENCH_DB) $(PY) bench/bench_scope.py --samples 1000 --json bench/out/scope.json
	DATABASE_URL=$(BENCH_DB) bash bench/bench_pages.sh
	@if [ -f bench/bench_import.py ]; then \
		psql -h 127.0.0.1 -U postgres -d postgres -q -c 'DROP DATABASE IF EXISTS sotay_bench_import WITH (FORCE)' \
			-c 'CREATE DATABASE sotay_bench_import' && \
		DATABASE_URL=postgres://postgres@127.0.0.1:5432/sotay_bench_import \
			$(PY) bench/bench_import.py --seed-province --json bench/out/import.json; fi

# --- audio versions of documents (sotay_plugins/speech.py) ---------------------------------
# System packages, not pip: Debian's espeak-ng (Vietnamese voices) and opus-tools (opusenc, Ogg
# Opus at 16 kbit/s). Missing opusenc: lame (MP3) if installed, else WAV with a logged warning.
speech-check:
	@command -v espeak-ng >/dev/null && echo "espeak-ng: $$(command -v espeak-ng)" \
		|| echo "espeak-ng: missing (apt-get install espeak-ng): no audio versions"
	@command -v opusenc >/dev/null && echo "opusenc: $$(command -v opusenc)" \
		|| echo "opusenc: missing (apt-get install opus-tools): MP3 (lame) or WAV instead"

clean:
	rm -rf $(VENV) var/static bench/out .pytest_cache
