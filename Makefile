# zoneplan — two commands matter: `make demo` and `make test`. Both set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-fast wheel bench layers system-deps venv clean

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

# Everything: unit tests, doctests, notebooks, browser and PostGIS tests, and the wheel test
# (sdist → wheel → pip install into a fresh venv outside the checkout → `zoneplan demo` → a map in Chromium).
test: $(STAMP) system-deps
	$(PY) -m pytest

# The developer's loop: everything not marked slow (no notebooks, no wheel install, no province runs).
test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow" -q

# The sdist and the wheel (with the sample plans and map assets inside) in dist/.
wheel: $(STAMP)
	$(PY) -m build --outdir dist .

layers: $(STAMP)
	$(PY) layers/build.py
	$(PY) layers/build_rasters.py

bench: $(STAMP) system-deps
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) demo-output artifacts .pytest_cache build dist zoneplan.egg-info
