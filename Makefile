# Two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install secret-key bytecode demo serve serve-prod test test-postgres lint bench eval crash-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) secret-key

# A random DJANGO_SECRET_KEY in .env the first time (never replaced, nothing written when the
# environment sets one): with DEBUG off, digest refuses to run without a key of its own.
secret-key: $(STAMP)
	@$(BIN)/python -m digest.secretkey

# Our own modules byte-compiled, as pip does for every package it installs (not for an editable
# install): each `digest` process, and each helper a send starts, then loads them without
# compiling, also where PYTHONDONTWRITEBYTECODE is set (as in many containers). Files already
# compiled are skipped.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q digest subscribers bench > /dev/null

demo: bytecode secret-key
	$(BIN)/digest migrate --no-input -v 0
	$(BIN)/digest demo

serve: bytecode secret-key
	$(BIN)/digest migrate --no-input -v 0
	$(BIN)/digest runserver

# The production server (gunicorn; static files collected and served by WhiteNoise) on
# DIGEST_BIND (127.0.0.1:8000); under systemd, deploy/digest-web.service runs `digest serve`.
serve-prod: bytecode secret-key
	$(BIN)/digest migrate --no-input -v 0
	$(BIN)/digest serve

test: $(STAMP)
	@[ -x /usr/bin/chromium ] || echo "NOTE: /usr/bin/chromium is missing: browser tests will be skipped (apt-get install chromium fonts-nanum)"
	$(BIN)/python -m pytest -q

# The delivery tests again on PostgreSQL (DIGEST_TEST_POSTGRES=postgres://user@host:port;
# .ci/run starts a private server and sets it).
DELIVERY_TESTS := tests/test_delivery_smtp.py tests/test_delivery_sendgrid.py tests/test_delivery_pipeline.py \
	tests/test_delivery_control.py tests/test_delivery_processes.py tests/test_delivery_storm.py \
	tests/test_idempotency.py tests/test_events.py tests/test_kept_renderings.py tests/test_delivery_recovery.py \
	tests/test_crash_matrix.py
test-postgres: $(STAMP)
	@test -n "$(DIGEST_TEST_POSTGRES)" || { echo "set DIGEST_TEST_POSTGRES=postgres://user@host:port"; exit 2; }
	DIGEST_TEST_POSTGRES=$(DIGEST_TEST_POSTGRES) DATABASE_URL=$(DIGEST_TEST_POSTGRES)/digest \
		$(BIN)/python -m pytest -q $(DELIVERY_TESTS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: bytecode
	$(BIN)/python -m bench

# Sections and summaries measured on our own labelled pages (bench/eval): a throwaway site,
# the product's real sources, BENCH lines; then the held-out set (bench/eval/holdout, never
# tuned on), its figures named holdout_*. EVAL_ARGS passes options to both (--verbose);
# --only NAMES belongs to one set: `python -m bench.eval [--holdout] --only NAMES`.
eval: bytecode
	@status=0; $(BIN)/python -m bench.eval $(EVAL_ARGS) || status=1; \
	$(BIN)/python -m bench.eval --holdout $(EVAL_ARGS) || status=1; exit $$status

# The crash matrix (bench/crash): `digest send` SIGKILLed at random points on a 10,000-reader
# list, on SQLite, and on PostgreSQL too when DIGEST_TEST_POSTGRES is set. CRASH_ARGS passes
# options (--seed N, --only NAMES, --readers N); both databases run even if the first fails.
crash-test: bytecode secret-key
	@status=0; DIGEST_TEST_POSTGRES= $(BIN)/python -m bench.crash $(CRASH_ARGS) || status=1; \
	if [ -n "$(DIGEST_TEST_POSTGRES)" ]; then \
		DIGEST_TEST_POSTGRES=$(DIGEST_TEST_POSTGRES) $(BIN)/python -m bench.crash $(CRASH_ARGS) || status=1; \
	fi; exit $$status

clean:
	rm -rf var/outbox var/digest.sqlite3*
