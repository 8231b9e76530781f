# Two commands on a fresh clone: `make run` and `make test`. Each creates .venv and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test clean

install: $(STAMP)

# Reinstall only when the project's declared dependencies change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

run: $(STAMP)
	$(BIN)/sikg serve

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var .pytest_cache
