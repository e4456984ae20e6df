"""The public API: what ``zoneplan`` and its public modules export, importable and light to import."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import zoneplan

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_MODULES = [
    "zoneplan",
    "zoneplan.datasets",
    "zoneplan.analysis",
    "zoneplan.compliance",
    "zoneplan.scenario",
    "zoneplan.compare",
    "zoneplan.maps",
    "zoneplan.raster",
    "zoneplan.io",
    "zoneplan.report",
    "zoneplan.validate",
    "zoneplan.measure",
    "zoneplan.units",
    "zoneplan.crs",
    "zoneplan.errors",
]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_every_exported_name_exists_and_is_documented(name):
    module = importlib.import_module(name)
    assert module.__doc__, f"{name} has no docstring"
    exported = module.__all__
    assert len(exported) == len(set(exported)), f"{name}.__all__ repeats a name"
    for attr in exported:
        value = getattr(module, attr)
        if callable(value) and not isinstance(value, type(zoneplan)):
            assert (value.__doc__ or "").strip(), f"{name}.{attr} has no docstring"
    assert not [a for a in exported if a.startswith("_") and a != "__version__"]


def test_top_level_api():
    assert set(zoneplan.__all__) == {"Plan", "read_plan", "datasets", "ZoneplanError", "InputError", "CRSError", "PlanError", "__version__"}
    from zoneplan.io import read_plan
    from zoneplan.plan import Plan

    assert zoneplan.Plan is Plan and zoneplan.read_plan is read_plan
    assert zoneplan.datasets.load("zhangdian").name == "zhangdian"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = zoneplan.nothing
    assert set(zoneplan.__all__) <= set(dir(zoneplan))


def test_importing_zoneplan_does_not_import_the_geospatial_stack():
    code = "import sys, zoneplan; print(sorted(m for m in ('geopandas', 'pandas', 'shapely', 'pyproj', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
