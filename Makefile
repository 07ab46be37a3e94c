# SOPRANO/REX — every command a developer or CI needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test quality system-deps install migrate data worker beat bench clean

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 est requis ($(PYTHON) introuvable)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## System libraries: WeasyPrint (pango, harfbuzz), libmagic (document types), chromium (browser tests).
system-deps:
	@./scripts/system-deps.sh

migrate: install
	$(PY) manage.py migrate --noinput

data: migrate
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_demo

## Runs the app with the embedded defaults: SQLite, tasks in-process, e-mails on the console.
run: system-deps data
	@$(PY) manage.py demo_logins
	$(PY) manage.py runserver $(HOST):$(PORT)

## Runs every test (set DATABASE_URL / REDIS_URL to run them on PostgreSQL and Redis).
test: system-deps install
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(BIN)/pytest

quality: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run

worker: install
	$(BIN)/celery -A soprano worker --loglevel=INFO

beat: install
	$(BIN)/celery -A soprano beat --loglevel=INFO

bench: install
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) db.sqlite3 var
