# Two commands on a fresh machine: `make demo` and `make test`. Everything else is set-up.
SHELL := /bin/bash
# The first interpreter that really runs (pyenv shims exist for versions that are not active).
find_python = $(firstword $(foreach p,$(1),$(shell $(p) -c 'import sys; sys.exit(sys.version_info[:2] < ($(2)))' >/dev/null 2>&1 && echo $(p))))
PYENV_ROOT ?= $(HOME)/.pyenv
PYTHON ?= $(call find_python,python3.11 python3.12 python3,3$(comma)11)
PYTHON6 ?= $(call find_python,python3.12 python3.13 $(wildcard $(PYENV_ROOT)/versions/3.12*/bin/python3) $(wildcard $(PYENV_ROOT)/versions/3.13*/bin/python3),3$(comma)12)
comma := ,
VENV := .venv
VENV6 := .venv-django6
PY := $(VENV)/bin/python
# The slowest tests are printed at the end of each leg: where the suite's time goes.
PYTEST_ARGS ?= --durations=20

.PHONY: demo test lint test-django5 test-django6 bench chromium redis deno clients clean

# A virtualenv with platformkit and its dev extras; reinstalled when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

$(VENV6)/.installed: pyproject.toml
	test -x $(VENV6)/bin/python || $(PYTHON6) -m venv $(VENV6)
	$(VENV6)/bin/python -m pip install -q --upgrade pip
	$(VENV6)/bin/python -m pip install -q -e ".[dev]" "Django>=6,<7"
	touch $@

# Starts the embedded PostgreSQL, the local Management API, a django-q2 worker and the site;
# seeds an operator and a sample project; prints the URL and login. Ctrl-C stops everything.
demo: $(VENV)/.installed deno
	$(PY) -m demo.run

# Deno, for invoking Edge Functions through the local API (the npm package, into .tools/deno).
# Without npm, functions still deploy; invoking them says no runtime is installed.
DENO := .tools/deno/node_modules/.bin/deno
deno: $(DENO)
$(DENO):
	@if command -v npm >/dev/null; then npm install --silent --no-fund --no-audit --prefix .tools/deno deno@2 >/dev/null && $(DENO) --version | head -1; \
	else echo "npm not found: Edge Functions deploy but cannot be invoked locally"; fi

# The official clients the contract tests drive (tests/clients/), pinned: the Supabase CLI, the
# Supabase MCP server, and TypeScript to check that generated types compile. Without npm the
# tests skip, saying so.
CLIENTS := .tools/clients/.installed-supabase-2.117.0-mcp-0.13.0-ts-5.9.3
clients: $(CLIENTS)
$(CLIENTS):
	@if command -v npm >/dev/null; then npm install -E --silent --no-fund --no-audit --prefix .tools/clients \
	  supabase@2.117.0 @supabase/mcp-server-supabase@0.13.0 typescript@5.9.3 >/dev/null && touch $@ && \
	  .tools/clients/node_modules/.bin/supabase --version; \
	else echo "npm not found: the official-client tests (tests/clients) are skipped"; fi

# Debian's Chromium for the browser tests (Playwright drives it; no browser is downloaded).
chromium:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; }

# Debian's Redis for the several-machines test (tests/system/test_several_machines.py starts its
# own redis-server on loopback: the broker of two qcluster workers and the sites' shared cache).
redis:
	@command -v redis-server >/dev/null || { \
	  echo "installing Debian's redis-server for the several-machines test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) ; }

# The whole suite: style and types first, then Python 3.11 + Django 5.2 LTS, then Django 6.x
# where Python 3.12+ exists. The Django 6 leg leaves out the headless-Chromium tests (marker
# `browser`): what they add over the Django test client's pages is the browser's side (htmx,
# scripts, layout), the same under either Django, and each starts a browser and servers.
# The legs keep apart (each its own data dir, PostgreSQL and instances; ports are picked free;
# each run removes its instances itself, in the background), so `make -j2 --output-sync=target
# test` can run them side by side.
test: lint test-django5 test-django6

# ruff (lint + format, line length 120) and mypy (pyproject.toml's [tool.ruff] / [tool.mypy]).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy platformkit

test-django5: $(VENV)/.installed chromium redis deno clients
	$(PY) -m pytest $(PYTEST_ARGS)

test-django6: chromium redis deno clients
	@if [ -n "$(PYTHON6)" ]; then \
	  $(MAKE) --no-print-directory $(VENV6)/.installed && \
	  PLATFORMKIT_DATA_DIR=$(CURDIR)/.data/test-django6 $(VENV6)/bin/python -m pytest -m "not browser" $(PYTEST_ARGS); \
	else echo "no Python 3.12+ interpreter here: the Django 6.x leg is skipped"; fi

bench: $(VENV)/.installed
	$(PY) -m bench.run_all

clean:
	rm -rf $(VENV) $(VENV6) .data .tools
