# gapmonitor — `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export GAPMONITOR_LOCAL ?= 1

.PHONY: demo test install install-dev serve migrate bench screenshots browsers clean check-deploy

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
	@echo "Serving gapmonitor at http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	DEBUG=$${DEBUG:-0} $(PY) manage.py runserver --insecure 127.0.0.1:$(PORT)

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install-dev
	$(PY) -m bench.run

screenshots: install-dev
	$(PY) -m pytest tests/browser/test_screenshots.py -m browser -p no:cacheprovider --screenshots

check-deploy: install
	GAPMONITOR_LOCAL=0 DEBUG=0 HTTPS=1 SECRET_KEY=$$($(PY) -c "import secrets;print(secrets.token_urlsafe(64))") \
	ALLOWED_HOSTS=gapmonitor.example.org $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles var
