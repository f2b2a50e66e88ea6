# weixi_grid — the two set-up commands: `make run` (demo county, embedded default) and
# `make test` (the whole suite; PostgreSQL when DATABASE_URL is set).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format migrate demo worker beat bench clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py compile_translations
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_county --if-missing
	$(BIN)/python manage.py demo_logins

run: demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py compile_translations
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(STAMP)
	$(BIN)/celery -A weixi_grid worker --loglevel=info

beat: $(STAMP)
	$(BIN)/celery -A weixi_grid beat --loglevel=info

bench: $(STAMP)
	$(BIN)/python manage.py bench tree

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
