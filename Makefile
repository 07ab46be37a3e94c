# SOPRANO/REX — every command a developer or CI needs.
# Python 3.11 (what production runs); python3 will do when it is 3.11 or 3.12. Override: make PYTHON=…
PYTHON ?= $(firstword $(foreach p,python3.11 python3,$(shell $(p) -c 'import sys; sys.exit(sys.version_info[:2] not in ((3, 11), (3, 12)))' >/dev/null 2>&1 && echo $(p))))
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Local runs (make run, worker, beat, migrate): production settings with keys kept in var/ (made once),
# plain http on this machine (HTTPS=0) and readable logs (LOG_FORMAT=texte; production logs JSON lines).
# Variables already set in the environment win.
KEYS := var/secret-key var/verification-key
LOCAL_ENV = SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret-key)}" \
	VERIFICATION_KEY="$${VERIFICATION_KEY:-$$(cat var/verification-key)}" HTTPS="$${HTTPS:-0}" \
	LOG_FORMAT="$${LOG_FORMAT:-texte}"
# Production-like settings for `check --deploy` (CI): throwaway keys, a public host name, Redis.
DEPLOY_ENV = SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	VERIFICATION_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	ALLOWED_HOSTS=soprano-rex.douane.gouv.fr SITE_URL=https://soprano-rex.douane.gouv.fr \
	REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/0}" DJANGO_SETTINGS_MODULE=soprano.settings.base

.PHONY: run test test-fast quality security system-deps services install lock migrate data worker beat bench bench-scale bench-node clean vendor-dsfr-chart

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 est requis (ni python3.11 ni python3 en 3.11/3.12 n'ont été trouvés)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The versions come from the lock files (every package pinned with its hashes), never from the day's index.
$(STAMP): requirements/dev.txt | $(PY)
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	@touch $(STAMP)

install: $(STAMP)

## Refreshes the lock files from pyproject.toml (production: the image; dev: make, CI), hashes included.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --universal --python-version 3.11
lock: install
	$(UV_COMPILE) -o requirements/production.txt
	$(UV_COMPILE) --extra dev -o requirements/dev.txt

$(KEYS):
	@mkdir -p var
	@umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@echo "Clé locale créée : $@"

## System libraries: WeasyPrint (pango, harfbuzz), libmagic (document types), chromium (browser tests),
## ClamAV's clamd (the tests start their own).
system-deps:
	@./scripts/system-deps.sh

## Starts the local PostgreSQL and Redis when they are down (Debian, as root: CI and containers).
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -n 1) main start; \
	  for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }
	@pg_isready -h 127.0.0.1 -p 5432
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
	  for i in $$(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; }
	@echo "Redis : $$(redis-cli -h 127.0.0.1 -p 6379 ping)"

migrate: install $(KEYS)
	@$(LOCAL_ENV) $(PY) manage.py migrate --noinput

data: migrate
	@$(LOCAL_ENV) $(PY) manage.py load_reference_data
	@$(LOCAL_ENV) $(PY) manage.py load_demo

## Runs the app with the embedded defaults: SQLite, tasks in-process, e-mails on the console.
## Uploads are scanned by Debian's clamd when its socket exists; otherwise CLAMAV_URL=aucun (logged).
CLAMD_SOCKET := /var/run/clamav/clamd.ctl
run: system-deps data
	@$(LOCAL_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	@$(LOCAL_ENV) SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py demo_logins
	@# Without a broker, the periodic jobs (automatic rejection, e-mail retry) run beside the server.
	@export $(LOCAL_ENV) SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}; \
	if [ -z "$$CLAMAV_URL" ]; then \
	  if [ -S $(CLAMD_SOCKET) ]; then CLAMAV_URL=unix://$(CLAMD_SOCKET); else CLAMAV_URL=aucun; fi; \
	fi; export CLAMAV_URL; \
	if [ -z "$$REDIS_URL" ]; then $(PY) manage.py planificateur & trap "kill $$! 2>/dev/null" EXIT INT TERM; fi; \
	$(PY) manage.py runserver $(HOST):$(PORT)

## Runs every test (set DATABASE_URL / REDIS_URL to run them on PostgreSQL and Redis), with the branch
## coverage of rex/, accounts/ and api/ printed at the end; below the floor, the run fails. The tests that
## download from the package index (marker reseau) are left out: run them with `pytest -m reseau`.
COVERAGE_FLOOR := 90
test: system-deps install
	DJANGO_SETTINGS_MODULE=soprano.settings.test $(PY) manage.py collectstatic --noinput --verbosity 0
	$(BIN)/pytest -m "not reseau" --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR)

## The edit-test loop: no browser, no Celery worker, no slow test (CI runs them all with `make test`).
test-fast: install
	$(BIN)/pytest -m "not browser and not worker and not slow and not reseau" $(ARGS)

quality: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	DJANGO_SETTINGS_MODULE=soprano.settings.test DATABASE_URL=sqlite:///:memory: \
	  $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=soprano.settings.test DATABASE_URL=sqlite:///:memory: \
	  $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

## bandit (no medium or high finding) and Django's deployment checklist on the production settings.
security: install
	$(BIN)/bandit --quiet --recursive --severity-level medium --confidence-level low \
	  --exclude ./.venv,./tests,./benchmarks accounts rex api soprano webhooks
	$(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING

worker: install $(KEYS)
	@$(LOCAL_ENV) $(BIN)/celery -A soprano worker --loglevel=INFO --queues=defaut,courriels,pdf

beat: install $(KEYS)
	@$(LOCAL_ENV) $(BIN)/celery -A soprano beat --loglevel=INFO

bench: install
	$(PY) -m benchmarks.run

## The national-volume benchmark: 1k and 100k requests seeded in PostgreSQL databases of its own
## (BENCH_SCALE_DATABASE_URL names the 100k one, dropped and created again at each run), pages, plans,
## batch jobs and PASS/FAIL targets. BENCH_SCALE_ARGS=--reuse keeps the data sets of the previous run.
bench-scale: install
	$(PY) -m benchmarks.scale $(BENCH_SCALE_ARGS)

## Requests per second of one web node (gunicorn, production settings) under wrk, on the bench-scale data
## when seeded, otherwise on the demo data. BENCH_NODE_ARGS: --duree, --connexions, --workers.
bench-node: install
	@command -v wrk >/dev/null || ./scripts/system-deps.sh
	$(PY) -m benchmarks.noeud $(BENCH_NODE_ARGS)

## The State's chart components (@gouvfr/dsfr-chart) copied into static/vendor/ from the npm package, its
## integrity checked against the pinned one (the copied files are committed; no CDN at run time).
vendor-dsfr-chart:
	./scripts/vendor-dsfr-chart.sh

clean:
	rm -rf $(VENV) db.sqlite3 var test-results
