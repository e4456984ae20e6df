"""Small hand-built plans for the goal-seeking tests; every optimum is known by hand.

Zone ``Z`` (district ``D``): 3000 m × 1000 m in EPSG:4548, as-of date 2026-06-30 (first free
year 2026). Parcels are strips 1000/3 m deep, so a strip ``2 × mu`` metres wide has exactly
``mu`` mu. Base land is dry land (``0103``) everywhere.

========  =======  ========  ===========  ========  =============================================
parcel    mu       code      status       planned   role
========  =======  ========  ===========  ========  =============================================
I0        100      100101    built 2015             fixed industrial land
R0        100      070102    built 2016             fixed housing
G1        40       1402      ready        2030      protective green: may become industrial
G2        35       1402      ready        2030      the cheapest conversion
G3        50       1402      ready        2030
F         30       0103      ready        —         dry land kept (may become industrial)
========  =======  ========  ===========  ========  =============================================

Target: ``industrial_area_km2`` of ``D`` in 2030 ≥ 130 mu (130 / 1500 km²) — 30 mu more
industrial land than the plan has. The least-area answer converts G2 (35 mu); F (30 mu) would
be cheaper but the variants put it on permanent basic farmland or leave it out.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from tests.conftest import box
from zoneplan.plan import Plan
from zoneplan.units import MU_PER_KM2

__all__ = ["DEPTH_M", "solve_plan", "strip"]

#: Depth of every parcel strip, metres: a strip 2·mu metres wide holds mu mu.
DEPTH_M = 1000 / 3


def strip(x: float, mu: float, y: float = 0.0) -> shapely.Polygon:
    """A parcel of exactly ``mu`` mu whose south-west corner is ``x`` m east of the zone's."""
    return box(x, y, 2 * mu, DEPTH_M)


def solve_plan(
    *, parcels: list[dict] | None = None, targets: list[dict] | None = None, quotas: list[dict] | None = None, control_lines: gpd.GeoDataFrame | None = None
) -> Plan:
    """The plan of the module docstring, with parcels, targets, quotas or control lines replaced."""
    na = pd.NA
    rows = parcels or [
        {"parcel_id": "I0", "landuse_code": "100101", "status": "built", "built_year": 2015, "supplied_year": 2014, "planned_year": na, "x": 0, "mu": 100},
        {"parcel_id": "R0", "landuse_code": "070102", "status": "built", "built_year": 2016, "supplied_year": 2015, "planned_year": na, "x": 300, "mu": 100},
        {"parcel_id": "G1", "landuse_code": "1402", "status": "ready", "built_year": na, "supplied_year": na, "planned_year": 2030, "x": 600, "mu": 40},
        {"parcel_id": "G2", "landuse_code": "1402", "status": "ready", "built_year": na, "supplied_year": na, "planned_year": 2030, "x": 800, "mu": 35},
        {"parcel_id": "G3", "landuse_code": "1402", "status": "ready", "built_year": na, "supplied_year": na, "planned_year": 2030, "x": 1000, "mu": 50},
        {"parcel_id": "F", "landuse_code": "0103", "status": "ready", "built_year": na, "supplied_year": na, "planned_year": na, "x": 1200, "mu": 30},
    ]
    frame = pd.DataFrame(rows)
    geoms = [strip(float(x), float(mu), float(y)) for x, mu, y in zip(frame["x"], frame["mu"], frame.get("y", pd.Series(0.0, index=frame.index)))]
    frame = frame.drop(columns=[c for c in ("x", "mu", "y") if c in frame.columns])
    frame["zone_id"] = "Z"
    frame["district_id"] = "D"
    if "base_landuse_code" not in frame.columns:
        frame["base_landuse_code"] = "0103"
    frame["allowed_codes"] = frame.get("allowed_codes", pd.Series("100101", index=frame.index)).fillna("100101")
    layer = gpd.GeoDataFrame(frame, geometry=geoms, crs=4548)
    zone = gpd.GeoDataFrame({"zone_id": ["Z"], "name": ["求解测试区"]}, geometry=[box(0, 0, 3000, 1000)], crs=4548)
    district = gpd.GeoDataFrame({"district_id": ["D"], "zone_id": ["Z"], "name": ["板块"]}, geometry=[box(0, 0, 3000, 1000)], crs=4548)
    target_rows = (
        targets
        if targets is not None
        else [{"scope": "D", "metric": "industrial_area_km2", "year": 2030, "op": ">=", "value": 130 / MU_PER_KM2, "unit": "km2"}]
    )
    layers = {"zones": zone, "districts": district, "parcels": layer}
    if control_lines is not None:
        layers["control_lines"] = control_lines
    tables = {"targets": pd.DataFrame(target_rows)}
    if quotas is not None:
        tables["quotas"] = pd.DataFrame(quotas)
    return Plan(layers, tables, crs=4548, meta={"name": "solve-test", "as_of": "2026-06-30"})
