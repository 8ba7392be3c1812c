# Kotolupaus: `make run` and `make test` are all a new machine needs (Python 3.11 or newer).
# Without DATABASE_URL both start an embedded PostgreSQL in var/postgres/.

# The newest of python3.13, python3.12 and python3.11 that runs here (a pyenv shim of a
# version that is not selected does not), unless PYTHON is given: make test PYTHON=python3.12
PYTHON ?= $(firstword $(foreach v,3.13 3.12 3.11,$(shell python$(v) -c '' >/dev/null 2>&1 && echo python$(v))) python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WITH_DB := $(PY) -m kotolupaus.embedded_db exec --
HOST ?= 127.0.0.1
PORT ?= 8000
ARGS ?=

AXE := var/node/node_modules/axe-core/axe.min.js
HTMLCS := var/node/node_modules/html_codesniffer/build/HTMLCS.js

.PHONY: run test bench bench-report faults fleet backup-check abuse-check lint format messages install lock sbom audit db-url db-stop clean

# The web server and one job worker (e-mails, scheduled jobs), stopped together by Ctrl-C.
# Links in e-mails, feeds and share buttons follow HOST and PORT (SITE_URL overrides).
run: $(STAMP)
	KOTOLUPAUS_ENV=$${KOTOLUPAUS_ENV:-development} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} \
	  $(WITH_DB) sh -ec '\
	  $(PY) manage.py migrate --noinput; \
	  $(PY) manage.py seed_demo; \
	  exec $(PY) -m kotolupaus.devrun $(HOST):$(PORT)'

test: $(STAMP) $(AXE) $(HTMLCS)
	$(WITH_DB) $(PY) -m pytest $(ARGS)

# axe-core and HTML_CodeSniffer for the accessibility checks of the browser tests
# (git-ignored, from npm). Without npm the browser tests still run and the
# accessibility checks are skipped.
$(AXE):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-audit --no-fund --prefix var/node axe-core@4; \
	else echo "npm not found: the accessibility (axe) checks will be skipped"; fi

$(HTMLCS):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-audit --no-fund --prefix var/node html_codesniffer@2; \
	else echo "npm not found: the accessibility (HTML_CodeSniffer) checks will be skipped"; fi

# The load benchmark (bench/run.py): its own kotolupaus_bench database, gunicorn under
# production settings, wrk; prints a table, asserts nothing. Not part of `make test`.
bench: $(STAMP)
	$(WITH_DB) $(PY) -m bench.run $(ARGS)

# The campaign report at 10,000 entries (bench/report.py).
bench-report: $(STAMP)
	$(WITH_DB) $(PY) -m bench.report $(ARGS)

# Fault drill (ops/fault_drill.py): a PostgreSQL of its own under var/ is stopped and
# started under load; checks the 503 page, recovery and that no submission is lost.
faults: $(STAMP)
	$(WITH_DB) $(PY) -m ops.fault_drill $(ARGS)

# Fleet drill (ops/fleet.py): two web servers and two job workers on a PostgreSQL, Redis
# and SMTP server of its own; each part stopped and started under load; a table of checks.
# Needs redis-server (Debian: apt-get install redis-server). ARGS="--quick": the short
# variant the test suite runs.
fleet: $(STAMP)
	$(PY) -m ops.fleet $(ARGS)

# Backup round trip (ops/backup_check.py): demo data dumped with pg_dump and restored
# with pg_restore into another database on DATABASE_URL's server; compares every table.
backup-check: $(STAMP)
	$(WITH_DB) $(PY) -m ops.backup_check $(ARGS)

# Abuse check (ops/abuse_check.py): the security review's reproductions (issue 20) against
# a production-like setup of its own (the drills' PostgreSQL, two Redis servers, gunicorn,
# a job worker, an SMTP sink); prints each as held / not held, non-zero when any is not.
abuse-check: $(STAMP)
	$(PY) -m ops.abuse_check $(ARGS)

# mypy with django-stubs ([tool.mypy] in pyproject.toml): the plugin reads the settings,
# which only need a database URL to parse (nothing connects).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DATABASE_URL=$${DATABASE_URL:-postgres://localhost/kotolupaus} KOTOLUPAUS_ENV=test $(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Update the .po files from the source and compile the .mo files (needs gettext).
messages: $(STAMP)
	KOTOLUPAUS_ENV=development $(WITH_DB) sh -ec '\
	  $(PY) manage.py makemessages -l fi -l sv -l en --no-obsolete --add-location=file \
	    --ignore=.venv --ignore=var --ignore=static/vendor; \
	  msgattrib --clear-fuzzy --empty --clear-previous -o locale/en/LC_MESSAGES/django.po \
	    locale/en/LC_MESSAGES/django.po; \
	  msgen -o locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po; \
	  $(PY) manage.py compilemessages --ignore=.venv'

install: $(STAMP)

# The venv from the lock file, every package pinned with its hash (make lock updates it);
# reinstalled when the lock file changes. The project itself is installed without its
# dependencies (they came from the lock) and without build isolation (setuptools did too).
$(STAMP): requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements/dev.txt
	$(PY) -m pip check
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The lock files from pyproject.toml (uv, from the venv): requirements/app.txt for
# production, requirements/dev.txt for development and tests (the same versions and more).
# `make lock ARGS="--upgrade"` moves every package to its newest version within the
# ranges in pyproject.toml, `ARGS="--upgrade-package django"` one of them.
LOCK := $(VENV)/bin/uv pip compile pyproject.toml requirements/build.in --universal \
	--python-version 3.11 --generate-hashes --custom-compile-command "make lock" --quiet $(ARGS)
lock: $(STAMP)
	$(LOCK) --extra s3 -o requirements/app.txt
	$(LOCK) --extra s3 --extra dev -c requirements/app.txt -o requirements/dev.txt

# A CycloneDX SBOM of what production installs (requirements/app.txt), with the hashes.
sbom: $(STAMP)
	mkdir -p var
	$(VENV)/bin/cyclonedx-py requirements requirements/app.txt --pyproject pyproject.toml \
	  --mc-type application --output-reproducible \
	  --output-format JSON --output-file var/sbom.cdx.json
	@echo "SBOM: var/sbom.cdx.json"

# Known vulnerabilities of the locked packages (pip-audit, advisories from PyPI/OSV).
# Says so and exits 0 when no advisory source can be reached; never "no vulnerabilities" then.
audit: $(STAMP)
	$(PY) -m ops.audit $(ARGS)

db-url: $(STAMP)
	@$(PY) -m kotolupaus.embedded_db url

db-stop: $(STAMP)
	$(PY) -m kotolupaus.embedded_db stop

clean:
	-$(PY) -m kotolupaus.embedded_db stop
	rm -rf $(VENV) var staticfiles *.egg-info
