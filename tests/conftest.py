"""Shared fixtures: small hand-built plans whose answers are known exactly."""

from __future__ import annotations

import os

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from zoneplan.plan import Plan

pytest_plugins = ["tests.browser", "tests.postgis_server", "tests.bureau_data"]  # registered here, before any test module imports them

#: A point near Linqing in EPSG:4548 (CGCS2000 3° GK, CM 117°E), metres.
# The hand-built plans of the tests are drawn in the Gauss–Krüger plane with exact planar figures
# (a 100 m square is 15 mu): they are planar plans, as if each said meta area_basis = "planar".
# zoneplan's default basis for plans that say nothing is ellipsoidal (zoneplan.settings); the
# tests of that default (tests/test_area_basis_everywhere.py) remove this variable. Subprocesses
# of CLI tests inherit it. The bundled sample plans say "planar" in their own metadata.
os.environ.setdefault("ZONEPLAN_AREA_BASIS", "planar")

X0, Y0 = 384_000.0, 4_080_000.0


def box(x: float, y: float, w: float, h: float) -> shapely.Polygon:
    """A w × h metre rectangle with its south-west corner at (X0 + x, Y0 + y)."""
    return shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


@pytest.fixture
def tiny_plan() -> Plan:
    """One 1000 m × 1000 m zone (1500 mu) with four 200 m × 200 m parcels (60 mu each)."""
    zones = gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["测试开发区"]}, geometry=[box(0, 0, 1000, 1000)], crs=4548)
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ["P1", "P2", "P3", "P4"],
            "zone_id": ["Z1"] * 4,
            "landuse_code": ["100101", "100102", "0701", "1101"],
            "status": ["built", "built", "supplied", "ready"],
            "supplied_year": [2018, 2019, 2021, pd.NA],
            "built_year": [2019, 2020, pd.NA, pd.NA],
            "floor_area_m2": [80_000.0, 40_000.0, pd.NA, pd.NA],
            "footprint_m2": [20_000.0, 16_000.0, pd.NA, pd.NA],
            "investment_yuan": [1.2e8, 6.0e7, pd.NA, pd.NA],
            "tax_yuan": [6.0e6, 1.2e6, pd.NA, pd.NA],
            "enterprise": ["甲公司", "乙公司", None, None],
        },
        geometry=[box(0, 0, 200, 200), box(300, 0, 200, 200), box(0, 300, 200, 200), box(300, 300, 200, 200)],
        crs=4548,
    )
    phases = gpd.GeoDataFrame(
        {"phase_id": ["PH1"], "zone_id": ["Z1"], "phase_no": [1], "name": ["一期"], "target_area_mu": [600.0], "start_year": [2020], "end_year": [2023]},
        geometry=[box(0, 0, 1000, 400)],
        crs=4548,
    )
    targets = pd.DataFrame({"scope": ["Z1"], "metric": ["far"], "year": [2025], "op": [">="], "value": [2.0], "unit": ["ratio"], "source": ["test"]})
    return Plan({"zones": zones, "parcels": parcels, "phases": phases}, {"targets": targets}, meta={"name": "tiny", "title": "测试规划"})
