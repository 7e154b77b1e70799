# The two commands of the README, and the steps they are made of.
#   make run   installs everything and starts JupyterLab with the extension
#   make test  installs everything and runs every test (lint, jest, pytest, ui-tests)

VENV ?= .venv
PYTHON ?= python3
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# The ui-tests start the simulator and JupyterLab with this interpreter.
export CODE_INTERPRETER_PYTHON := $(CURDIR)/$(VENV)/bin/python

.PHONY: run test install install-ui-tests chromium mariadb lint jest pytest ui-tests simulator benchmarks watch \
  local-model

run: install
	scripts/run-lab.sh

test: install install-ui-tests chromium mariadb lint jest pytest ui-tests

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# `labextension develop` links the venv's extension folder to labextension/, so a later editable
# install writes its install.json in there, and the next wheel build would hold it twice.
install: $(VENV)/bin/python node_modules/.package-lock.json
	rm -f jupyterlab_code_interpreter/labextension/install.json
	$(VENV)/bin/python -m pip install --quiet -e ".[test,kernel]"
	jupyter labextension develop --overwrite .
	jupyter server extension enable --sys-prefix jupyterlab_code_interpreter

install-ui-tests:
	cd ui-tests && npm ci --no-audit --no-fund

# Debian's Chromium drives the ui-tests; Playwright's own browser download does not work here.
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y chromium >/dev/null; } \
	  || { echo "Install Debian's chromium first: sudo apt-get install -y chromium"; exit 1; }

# The data-source tests (pytest and ui-tests) use a real MariaDB on 127.0.0.1:3306; as root this
# installs and starts Debian's mariadb-server, otherwise it says what to run.
mariadb:
	@scripts/mariadb.sh

lint:
	npm run lint:check
	cd ui-tests && npx tsc --noEmit -p .
	ruff check .
	ruff format --check .
	python scripts/update_catalog.py --check
	python scripts/error_codes.py --check

jest:
	npx jest --coverage

pytest:
	pytest -q

ui-tests:
	cd ui-tests && npx playwright test

# A real small model (README, "A real local model"): fetch, verify, build once, then serve it.
local-model:
	scripts/local-model.sh start

simulator:
	python -m jupyterlab_code_interpreter.simulator --port 8765 \
	  --scenario jupyterlab_code_interpreter/simulator/examples/demo.yaml

benchmarks:
	python benchmarks/import_time.py
	python benchmarks/gateway_overhead.py
	python benchmarks/hub_overhead.py --rate-seconds 5

watch:
	npm run watch
