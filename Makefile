# zoneplan — two commands matter: `make demo` and `make test`. Both set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-fast wheel docs lint bench layers system-deps venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,all,bench]"
	touch $(STAMP)

venv: $(STAMP)

# Debian packages the tests need (headless Chromium, a CJK font, PostgreSQL + PostGIS);
# installed only when missing.
system-deps:
	bash .ci/install-system-deps

demo: $(STAMP) system-deps
	$(VENV)/bin/zoneplan demo --out demo-output

# Everything: lint and types, unit tests, doctests, notebooks, browser and PostGIS tests, and the wheel test
# (sdist → wheel → pip install into a fresh venv outside the checkout → `zoneplan demo` → a map in Chromium).
test: $(STAMP) system-deps
	$(MAKE) lint
	$(PY) -m pytest
	$(MAKE) docs

# The developer's loop: everything not marked slow (no notebooks, no wheel install, no province runs).
test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow" -q

# Lint, format and types, as configured in pyproject.toml.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The documentation site in docs/_build/html, offline, every warning an error (notebooks are
# rendered as committed, never executed here; the CLI reference is generated from --help).
docs: $(STAMP)
	rm -rf docs/_build
	$(PY) -m sphinx -W --keep-going -E -q -b html docs docs/_build/html

# The sdist and the wheel (with the sample plans and map assets inside) in dist/.
wheel: $(STAMP)
	$(PY) -m build --outdir dist .

layers: $(STAMP)
	$(PY) layers/build.py
	$(PY) layers/build_rasters.py

bench: $(STAMP) system-deps
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) demo-output artifacts .pytest_cache build dist zoneplan.egg-info docs/_build docs/_generated docs/notebooks
