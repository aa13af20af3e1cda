# Handover: `make dev` serves the whole service locally; `make test` runs every check.
# Both build their own environments from the pinned requirements files.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
export AWS_DEFAULT_REGION ?= eu-west-1
export SAM_CLI_TELEMETRY := 0
export POWERTOOLS_TRACE_DISABLED := true
export POWERTOOLS_METRICS_DISABLED := true

# sam build needs the Lambda runtime's interpreter (python3.13) on PATH: take one from PATH or pyenv.
# (A pyenv shim answers `command -v` even when it cannot run, so ask the interpreter itself.)
PY313_DIR := $(shell python3.13 -c 'import os, sys; print(os.path.dirname(sys.executable))' 2>/dev/null \
	|| ls -d "$$(pyenv root 2>/dev/null)"/versions/3.13*/bin 2>/dev/null | tail -n 1)

.PHONY: dev test lint typecheck validate build unit chromium openapi schemas endpoints invoke bench clean

$(VENV)/.installed: requirements-dev.txt layers/common/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements-dev.txt
	touch $@

$(SAM_VENV)/.installed: requirements-sam.txt $(VENV)/.installed
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(VENV)/bin/uv pip install --quiet --python $(SAM_VENV)/bin/python -r requirements-sam.txt
	touch $@

dev: $(VENV)/.installed ## the whole service on http://127.0.0.1:$${PORT:-3000}
	$(PY) -m local.server

test: lint typecheck validate build unit ## every check, as CI runs it

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(PY) -m local.openapi --check
	$(PY) -m local.event_schemas --check
	$(PY) -m local.endpoints --check

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

validate: $(SAM_VENV)/.installed
	$(SAM) validate --lint

build: $(SAM_VENV)/.installed
	@if [ -z "$(PY313_DIR)" ]; then \
		echo "sam build SKIPPED: no python3.13 interpreter found (install one, e.g. 'pyenv install 3.13')"; \
	else \
		mkdir -p .aws-sam; \
		PATH="$(PY313_DIR):$$PATH" $(SAM) build --build-dir .aws-sam/build --cached >.aws-sam/build.log 2>&1 \
			&& echo "sam build: OK (python3.13 from $(PY313_DIR))" || { cat .aws-sam/build.log; exit 1; }; \
	fi

# The hosted pages' browser tests drive Debian's Chromium (Playwright cannot download browsers here).
# Under CI (CI=true) a missing Chromium is installed; elsewhere those tests are skipped, saying how
# to enable them.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then :; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "installing Chromium for the browser tests"; \
		$(SUDO) apt-get install -y -q chromium >/dev/null 2>&1 \
			|| { $(SUDO) apt-get update -q >/dev/null && $(SUDO) apt-get install -y -q chromium >/dev/null; }; \
	else \
		echo "no Chromium: the hosted pages' browser tests will be skipped (apt-get install -y chromium, or CI=true, runs them)"; \
	fi

unit: $(VENV)/.installed chromium ## the tests, on PYTEST_WORKERS processes (default 2; 0 runs them in this one)
	$(PY) -m pytest -n $${PYTEST_WORKERS:-2} --dist loadfile

openapi: $(VENV)/.installed ## regenerate functions/docs/openapi.json from the handlers
	$(PY) -m local.openapi

schemas: $(VENV)/.installed ## regenerate events/schemas/ (the JSON Schema of each of Handover's events)
	$(PY) -m local.event_schemas

endpoints: $(VENV)/.installed ## regenerate the layer's endpoint data (botocore's, for the services the functions call)
	$(PY) -m local.endpoints

invoke: $(VENV)/.installed ## make invoke FN=<function> [EVENT=events/<file>.json]
	$(PY) -m local.invoke $(FN) $(EVENT)

bench: $(VENV)/.installed ## cold starts of the built artifact (with and without SnapStart, the hosted pages too), AWS round trips, email-existence timing, cost per monthly active customer, the directory at two sizes, the publisher per event, the operators' roll at two sizes and their actions' round trips, and bulk jobs (about 19 minutes here)
	$(PY) -m bench

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
