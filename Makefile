# motcua: `make run` sets up everything and serves the demo; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The address printed receipts' QR codes point to: where `make run` serves, unless set.
SITE_URL ?= http://$(HOST):$(PORT)
# The demo, the tests and the tools run in development mode (settings are production-safe
# without it: DEBUG off, a SECRET_KEY required, HTTPS only); a deployment sets its own
# environment and runs gunicorn and `manage.py db_worker`, not these targets.
DEV := DEBUG=true

.PHONY: run worker setup test lint format messages migrate demo bench bench-workflow bench-staff clean

# The demo lets an API client without an identity submit too (MOTCUA_ANONYMOUS_SUBMISSION);
# the portal's sign-in goes to the identity simulator served by this same (threaded) server,
# and a sender of the messages to applicants runs beside it (SMS to the gateway simulator on
# the same server, e-mails printed here), and the payment simulators' delayed IPNs are sent
# (payment_simulator), and the payments worker settles what the gateways confirm (receipt,
# dossier moved on), and the statistics follow the dossiers (refreshed every minute); `make
# worker` adds the reminders.
run: setup migrate demo
	$(DEV) SITE_URL='$(SITE_URL)' $(PY) manage.py run_outbox & outbox=$$!; \
	$(DEV) SITE_URL='$(SITE_URL)' $(PY) manage.py payment_simulator & paysim=$$!; \
	$(DEV) $(PY) manage.py db_worker --backend payments --queue-name payments & payworker=$$!; \
	$(DEV) SITE_URL='$(SITE_URL)' $(PY) manage.py postal_simulator & postsim=$$!; \
	$(DEV) $(PY) manage.py statistics_refresh --every 60 & stats=$$!; \
	trap 'kill $$outbox $$paysim $$payworker $$postsim $$stats 2>/dev/null' EXIT; \
	$(DEV) SITE_URL='$(SITE_URL)' MOTCUA_ANONYMOUS_SUBMISSION=true $(PY) manage.py runserver $(HOST):$(PORT)

# The background worker: runs queued tasks, queues the reminders every 5 minutes, and sends
# the messages to applicants (run_outbox). Safe to run on several machines at once (each
# notice is written and e-mailed once; each message is claimed by one worker under a lease).
worker: migrate
	$(DEV) $(PY) manage.py run_reminders --every 300 & pid=$$!; \
	$(DEV) $(PY) manage.py run_outbox & outbox=$$!; \
	$(DEV) $(PY) manage.py db_worker --backend payments --queue-name payments & payworker=$$!; \
	trap 'kill $$pid $$outbox $$payworker 2>/dev/null' EXIT; \
	$(DEV) $(PY) manage.py db_worker

setup: .venv/.synced node_modules/.installed messages
	mkdir -p var

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

messages: .venv/.synced
	$(DEV) $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=.tools -v 0

migrate: setup
	$(DEV) $(PY) manage.py migrate --noinput -v 0

# The identity simulator's signing key and the demo CA with the agencies' signing certificates
# (var/, never committed) before the server reads them; then the statistics of the demo's
# dossiers (facts and rollups; `make worker` keeps them up to date).
demo: migrate
	$(DEV) $(PY) manage.py identity_simulator --key-only
	$(DEV) $(PY) manage.py demo_certificates
	$(DEV) SITE_URL='$(SITE_URL)' $(PY) manage.py load_demo
	$(DEV) $(PY) manage.py statistics_refresh

test: setup
	$(DEV) DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(DEV) .venv/bin/mypy .

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench: setup
	$(PY) bench/run.py

# Transitions and due-soon / overdue lists on 1,000,000 dossiers (PostgreSQL).
bench-workflow: setup
	$(PY) bench/workflow.py

# The staff API under the peer's case-API mix, two people, 1,000,000 dossiers (PostgreSQL).
bench-staff: setup
	$(PY) bench/staff.py

clean:
	rm -rf .venv .tools node_modules var
