# Portail: the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
# the setup scripts of the tests (.ci/setup-*.sh) are bash, sourced by recipes
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip -q --disable-pip-version-check
INI ?= development.ini

.PHONY: install install-serve run test lint i18n clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install whenever the declared dependencies or their pins change.
# Serving needs the portal alone (setup.cfg install_requires): `make run`.
$(VENV)/.installed-serve: $(BIN)/python setup.cfg pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt 'setuptools<81' wheel
	$(PIP) install -c constraints.txt -e .
	touch $@

# The tests and the tools of the code (the `test` extra): `make test`, `make lint`.
$(VENV)/.installed-test: $(VENV)/.installed-serve
	$(PIP) install -c constraints.txt -e '.[test]'
	touch $@

install-serve: $(VENV)/.installed-serve
install: $(VENV)/.installed-test

# Serve the portal; the first run creates the database and the demo département.
# .ci/setup-letters.sh: the fonts and pango of the PDF letters (without the tests' pdftotext)
run: install-serve
	PORTAIL_LETTERS_TEST_PACKAGES= source .ci/setup-letters.sh
	mkdir -p var
	$(BIN)/portail-init $(INI) --demo
	$(BIN)/pserve $(INI)

lint: install
	$(BIN)/ruff check portail tests bench

# The tests need Chromium and axe-core (tests/browser) and PostgreSQL
# (tests/backends): .ci/setup-browser.sh and .ci/setup-backends.sh install or
# start them (as root; with npm ci for axe-core), or stop with one line saying
# what is missing and the command that provides it, and make those tests fail
# rather than skip.  To run without them (they then skip and say why):
#   make test PORTAIL_REQUIRE_BROWSER=0 PORTAIL_REQUIRE_BACKENDS=0
PORTAIL_REQUIRE_BROWSER ?= 1
PORTAIL_REQUIRE_BACKENDS ?= 1
export PORTAIL_REQUIRE_BROWSER PORTAIL_REQUIRE_BACKENDS
# .ci/setup-letters.sh: the fonts and pango of the PDF letters, pdftotext for their tests
TEST_SETUP := source .ci/setup-browser.sh && source .ci/setup-backends.sh && \
	source .ci/setup-letters.sh

test: install lint
	$(TEST_SETUP) && \
	$(BIN)/pytest --cov=portail --cov-report=term-missing:skip-covered --cov-fail-under=95 $(PYTEST_ARGS)

# The whole suite again with the tests' clock a year ahead (tests/conftest.py
# reads PORTAIL_TEST_CLOCK_SHIFT_DAYS): it passes whatever today's date is.
.PHONY: test-year-ahead
test-year-ahead: install
	$(TEST_SETUP) && \
	PORTAIL_TEST_CLOCK_SHIFT_DAYS=365 $(BIN)/pytest $(PYTEST_ARGS)

# Extract the message catalog template and compile every catalog.
i18n: install
	$(BIN)/pot-create -d portail --package-name Portail -o portail/locale/portail.pot portail
	for po in portail/locale/*/LC_MESSAGES/portail.po; do \
	  $(BIN)/pybabel update -i portail/locale/portail.pot -o $$po --no-fuzzy-matching -w 100 -l $$(echo $$po | cut -d/ -f3) || exit 1; \
	  $(BIN)/pybabel compile --statistics -i $$po -o $${po%.po}.mo || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .coverage htmlcov

.PHONY: test-browser
# The browser suite alone (Chromium and axe-core as for `make test`).
# Screenshots go to tests/browser/artifacts/.
test-browser: install
	source .ci/setup-browser.sh && source .ci/setup-letters.sh && \
	$(BIN)/pytest tests/browser $(PYTEST_ARGS)

# Storage (docs/operations.md, "Storage"): the ZEO server of zeo.ini, from zeo.conf
# (var/zeo/{Data,Sessions,Journal}.fs on 127.0.0.1:8100); stop it with Ctrl-C.
.PHONY: zeo
zeo: install-serve
	mkdir -p var/zeo
	$(BIN)/runzeo -C zeo.conf

# Backups (docs/operations.md, "Backups"): repozo backups of the three FileStorage files of
# STORAGE_DIR (var with development.ini, var/zeo with ZEO) into BACKUP_DIR;
# full the first time and after a pack, incremental otherwise.  A full backup
# removes the older files of its repository (-k): after an erasure (a pack),
# the next backup leaves none of the erased bytes in BACKUP_DIR.
# The journal first, then the data: each file is copied up to its last
# commit, one after the other, while the portal writes.  A journal entry is
# committed with (or, from the journal outbox, after) the change it records,
# so every entry of the journal's copy has its change in the data copied
# after it; copied the other way round, the changes committed in between
# were missing from the restored data while their entries were in the
# restored journal.  The sessions last: they refer to nothing.
STORAGE_DIR ?= var
BACKUP_DIR ?= backups
.PHONY: backup
backup: install-serve
	for db in Journal Data Sessions; do \
	  mkdir -p $(BACKUP_DIR)/$$db && \
	  $(BIN)/repozo -B -z -k -v -r $(BACKUP_DIR)/$$db -f $(STORAGE_DIR)/$$db.fs || exit 1; \
	done

# The benchmark (bench/README.md): TIER=S|L|both, STORAGE=file|zeo|postgres,
# PROCESSES=N portal processes (N > 1 on zeo or postgres: the scale-out phases).
# Never part of `make test`; writes bench/results/<tier>-<storage>.json.
TIER ?= S
STORAGE ?= file
PROCESSES ?= 1
.PHONY: bench
bench: install
	$(BIN)/python -W ignore::UserWarning -m bench.run --tier $(TIER) --storage $(STORAGE) \
	  --processes $(PROCESSES) $(BENCH_ARGS)

# The scale-out of issue 20: the portal on ZEO with 2 processes, after 1
# (bench/README.md, "Scale-out"); writes bench/results/S-zeo.json and gives
# its scale_out_2_processes to bench/results/S-file.json.
.PHONY: bench-scale-out
bench-scale-out: install
	$(BIN)/python -W ignore::UserWarning -m bench.run --tier S --storage zeo --processes 2 \
	  $(BENCH_ARGS)

# The import's benchmark (bench/README.md, "Importing a caseload"): LINES dossiers
# imported into a fresh database; writes bench/results/import-<lines>.json.
LINES ?= 100000
.PHONY: bench-import
bench-import: install
	$(BIN)/python -W ignore::UserWarning -m bench.importing --lines $(LINES)
