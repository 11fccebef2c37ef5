# gapmonitor — `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export GAPMONITOR_LOCAL ?= 1

.PHONY: demo test lint install install-dev serve migrate bench screenshots browsers clean check-deploy
# Test workers (pytest-xdist): `auto` is one per core; PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= auto

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py generate_demo_data
	@echo "Serving gapmonitor at http://127.0.0.1:$(PORT)/ with the import worker beside it (Ctrl+C stops both)"
	$(PY) manage.py db_worker --no-reload & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-0} $(PY) manage.py runserver --insecure 127.0.0.1:$(PORT)

# Lint and type checks (rule sets: pyproject.toml [tool.ruff], [tool.djlint], [tool.mypy]).
lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m djlint templates --lint
	$(PY) -m mypy

# The whole suite, browser tests included, spread over PYTEST_WORKERS processes; each has its own test database
# (test_<name>_gw0, _gw1… on PostgreSQL). Extra pytest arguments: PYTEST_ARGS="-k gaps".
test: lint
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: install-dev
	$(PY) -m bench.run --cold

screenshots: install-dev
	$(PY) -m pytest tests/browser/test_screenshots.py -m browser -p no:cacheprovider --screenshots

check-deploy: install
	GAPMONITOR_LOCAL=0 DEBUG=0 HTTPS=1 SECRET_KEY=$$($(PY) -c "import secrets;print(secrets.token_urlsafe(64))") \
	ALLOWED_HOSTS=gapmonitor.example.org $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles var
