# zoneplan — two commands matter: `make demo` and `make test`. Both set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test bench layers system-deps venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,postgis,dask,bench,serve]"
	touch $(STAMP)

venv: $(STAMP)

# Debian packages the tests need (headless Chromium, a CJK font, PostgreSQL + PostGIS);
# installed only when missing.
system-deps:
	bash .ci/install-system-deps

demo: $(STAMP) system-deps
	$(VENV)/bin/zoneplan demo --out demo-output

test: $(STAMP) system-deps
	$(PY) -m pytest

layers: $(STAMP)
	$(PY) layers/build.py
	$(PY) layers/build_rasters.py

bench: $(STAMP) system-deps
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) demo-output artifacts .pytest_cache
