# Two commands on a fresh clone: `make run` and `make test`. Each creates .venv and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The suite runs on every core (pytest-xdist; each worker has its own servers, ports and temporary stores), a test at a
# time handed to whichever worker is free.
PYTEST := $(BIN)/python -m pytest -n auto --dist worksteal

SHACL_JS := tests/shacl-js
JS_STAMP := $(SHACL_JS)/node_modules/.installed-stamp
CLIENTS_JS := tests/sparql-clients-js
CLIENTS_STAMP := $(CLIENTS_JS)/node_modules/.installed-stamp
AXE_JS := tests/browser/axe-js
AXE_STAMP := $(AXE_JS)/node_modules/.installed-stamp

.PHONY: install run test check lint clean browser shacl-js sparql-clients-js axe-js libreoffice virtuoso

install: $(STAMP)

# Reinstall only when the project's declared dependencies change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

run: $(STAMP)
	$(BIN)/sikg serve

test: lint browser shacl-js sparql-clients-js axe-js libreoffice virtuoso
	$(PYTEST) --durations=10

# The quick loop while changing code: the linter, then every test but those marked slow (real servers, browsers, the
# command line, the second SHACL engine, the fuzzers, the whole fixture corpus through the validator, exhaustive checks
# of seconds: tests/conftest.py), in about 80 s on two idle cores. `make test`, which CI runs, runs them all.
check: lint
	$(PYTEST) -m "not slow"

# ruff, with the rules in pyproject.toml ([tool.ruff]); make check and make test run it first.
lint: $(STAMP)
	$(BIN)/ruff check src tests

# The second SHACL engine (rdf-validate-shacl under Node, tests/test_shacl_core.py), from its lock file; reinstalled
# only when node_modules is missing or the lock changes. Without npm the test says it is skipped, and why.
shacl-js: $(JS_STAMP)

$(JS_STAMP): $(SHACL_JS)/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix $(SHACL_JS) --no-audit --no-fund && touch $@; \
	else echo "npm not found: tests/test_shacl_core.py will skip the second SHACL engine"; fi

# The npm SPARQL clients (Comunica, sparql-http-client, YASGUI) that tests/test_sparql_clients.py and
# tests/browser/test_yasgui.py run against a real `sikg serve`, from their lock file; reinstalled only when
# node_modules is missing or the lock changes. Not installed, those tests fail saying how to install them (the Node
# clients' are skipped without Node). package.json holds undici at 7: Comunica 5.4 asks for undici 8, which needs
# Node 22, where Debian's Node is 20.
sparql-clients-js: $(CLIENTS_STAMP)

$(CLIENTS_STAMP): $(CLIENTS_JS)/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix $(CLIENTS_JS) --no-audit --no-fund && touch $@; \
	else echo "npm not found: the npm SPARQL clients are not installed"; fi

# axe-core, which tests/browser/test_contribute_by_keyboard.py runs in Chromium (WCAG 2.1 A and AA), from its lock
# file; reinstalled only when node_modules is missing or the lock changes. Not installed, that test fails saying so.
axe-js: $(AXE_STAMP)

$(AXE_STAMP): $(AXE_JS)/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix $(AXE_JS) --no-audit --no-fund && touch $@; \
	else echo "npm not found: axe-core is not installed"; fi

# The page tests drive Debian's Chromium with its chromedriver (never a downloaded browser); installed when missing.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver)

# LibreOffice reads the spreadsheet template back (tests/test_spreadsheet.py), from Debian's packages; installed when
# missing (without it that test says it is skipped).
libreoffice:
	@command -v soffice >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends libreoffice-calc-nogui) || echo "LibreOffice not installed: its test is skipped"

# OpenLink Virtuoso (Debian's virtuoso-opensource), the external store tests/test_virtuoso.py and the store comparison
# in tests/test_remote_store.py start with a temporary database (tests/virtuoso.py); installed when missing (without it
# those tests are skipped, saying why).
virtuoso:
	@command -v virtuoso-t >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		virtuoso-opensource) || echo "Virtuoso not installed: its tests are skipped"

clean:
	rm -rf $(VENV) var .pytest_cache $(SHACL_JS)/node_modules $(CLIENTS_JS)/node_modules
