# Two commands for a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install run test test-fast test-browser lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# Set up, load the demo desk (accounts are printed), serve on http://127.0.0.1:8000
run: install
	DEBUG=1 $(PY) manage.py demo
	DEBUG=1 $(PY) manage.py runserver $(HOST)

# The whole suite: unit and HTTP tests, then the browser tests in Chromium.
test: install lint
	$(PY) -m pytest
	$(PY) -m pytest -m browser

test-fast: install
	$(PY) -m pytest -x -q

test-browser: install
	$(PY) -m pytest -m browser

lint: install
	$(VENV)/bin/ruff check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	# check --deploy reads the publisher from the database and refuses a placeholder:
	# run it against a freshly migrated throwaway database, with stand-in values for
	# the publisher (a deployment's admins save the real ones on Team -> Organisation)
	# and a real mail backend (the console one would warn, factcheck.W107).
	tmp=$$(mktemp -d) && export DATABASE_URL= FACTCHECK_DB_PATH=$$tmp/deploy.sqlite3 \
	  DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-key-but-long-enough-for-django \
	  ALLOWED_HOSTS=desk.example FACTCHECK_TRUSTED_PROXIES=1 \
	  EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
	  FACTCHECK_ORG_NAME="Lint Newsroom" FACTCHECK_ORG_URL=https://lint-newsroom.org && \
	  $(PY) manage.py migrate -v0 && \
	  $(PY) manage.py check --deploy --fail-level WARNING; status=$$?; rm -rf $$tmp; exit $$status

bench: install
	$(PY) bench/extraction_quality.py
	$(PY) bench/extraction_speed.py
	$(PY) bench/matching_quality.py
	$(PY) bench/matching_speed.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
