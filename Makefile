# consult: every set-up step is a target; `make run` and `make test` do all of it on a fresh machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app consult
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
DSFR := node_modules/@gouvfr/dsfr/dist
STATIC_DSFR := consult/static/dsfr

.PHONY: run dev test test-fast test-browser lint format install assets i18n-extract i18n-update \
	i18n-compile db-upgrade demo instance bench clean

run: install assets i18n-compile instance db-upgrade demo
	$(VENV)/bin/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - \
		'consult:create_app()'

dev: install assets i18n-compile instance db-upgrade demo
	CONSULT_DEBUG=1 $(FLASK) run --debug --host $(HOST) --port $(PORT)

test: install assets i18n-compile
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install assets i18n-compile
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

test-browser: install assets i18n-compile
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check consult tests benchmarks migrations
	$(VENV)/bin/ruff format --check consult tests benchmarks

format: install
	$(VENV)/bin/ruff format consult tests benchmarks
	$(VENV)/bin/ruff check --fix consult tests benchmarks

$(VENV)/bin/python:
	python3 -m venv $(VENV)

# Reinstalled whenever the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

# DSFR's compiled files keep their relative layout so the CSS's url(...) references resolve.
$(STATIC_DSFR)/.copied: node_modules/.package-lock.json
	rm -rf $(STATIC_DSFR) && mkdir -p $(STATIC_DSFR)
	cp $(DSFR)/dsfr.min.css $(DSFR)/dsfr.module.min.js $(DSFR)/dsfr.nomodule.min.js $(STATIC_DSFR)/
	cp -r $(DSFR)/utility $(DSFR)/icons $(DSFR)/fonts $(DSFR)/favicon $(STATIC_DSFR)/
	touch $@

assets: $(STATIC_DSFR)/.copied

# The input is the repository root: babel.cfg's patterns (consult/**.py, templates/**) are
# matched against paths relative to it.
i18n-extract: install
	$(VENV)/bin/pybabel -q extract -F translations/babel.cfg -k _l -k lazy_gettext \
		--add-comments=TRANSLATORS: --sort-by-file --no-wrap --omit-header \
		-o translations/messages.pot .

i18n-update: i18n-extract
	$(VENV)/bin/pybabel -q update -i translations/messages.pot -d translations --no-wrap \
		--ignore-obsolete --ignore-pot-creation-date
	$(PY) -m consult.core.i18n_catalogs fill-source-locale translations/en/LC_MESSAGES/messages.po

# Skipped while translations/ holds no catalogue yet (a fresh project before its first update).
i18n-compile: install
	@if compgen -G 'translations/*/LC_MESSAGES/*.po' > /dev/null; then \
		$(VENV)/bin/pybabel -q compile -d translations; \
	else echo "i18n-compile: no .po catalogue in translations/, nothing to compile"; fi

instance:
	$(PY) -m consult.core.instance_setup

db-upgrade: install instance
	$(FLASK) db upgrade

demo: db-upgrade
	$(FLASK) demo load --if-empty

bench: install assets i18n-compile
	$(PY) benchmarks/plan_page.py
	$(PY) benchmarks/thread_page.py

clean:
	rm -rf $(VENV) node_modules $(STATIC_DSFR) .pytest_cache
