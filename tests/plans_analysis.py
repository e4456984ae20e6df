"""A hand-built plan for the analysis tests, with every expected value worked out by hand.

Zone Z1 is a 1000 m × 1000 m square (1 000 000 m² = 1500 mu) split into districts D1 (west half)
and D2 (east half), parks PK1 (south-west quadrant) and PK2 (south-east quadrant), phases PH1
(south half, 600 mu due 2018–2021) and PH2 (north half). Coordinates below are metres from the
zone's south-west corner; 10 000 m² = 15 mu.

====  ==================  ========  =========  ==========  ==============================
id    box (x, y, w, h)    m²        code       status      years, base, money
====  ==================  ========  =========  ==========  ==============================
a     0, 0, 100, 200      20 000    100101     built       supplied 2018, built 2019, base 0103;
                                                           floor 40 000, footprint 10 000,
                                                           investment 9e7, tax 6e6 (甲)
b     200, 0, 100, 100    10 000    1101       built       supplied 2019, built 2020, base 2301;
                                                           floor 15 000, footprint 6 000,
                                                           investment 1.5e7, tax 1.5e6 (乙)
c     0, 300, 100, 100    10 000    0701       built       supplied 2019, built 2020, base 0703;
                                                           floor 30 000, footprint 3 000, tax 3e5
d     600, 0, 100, 100    10 000    100102     supplied    supplied 2021, base 0101; agreed start
                                                           2021-06-01, not started (idle)
e     800, 0, 100, 100    10 000    0901       ready       base 0103
f     600, 300, 100, 100  10 000    100101     unready     planned 2025, base 0103
g     0, 600, 200, 100    20 000    1701       unbuildable base 1701
h     600, 600, 100, 100  10 000    0703       built       no years (rural homestead: B1)
i     300, 300, 100, 100  10 000    0103       unready     base 0103 (farmland the plan keeps)
====  ==================  ========  =========  ==========  ==============================

Control lines: red line R1 = box(50, 0, 100, 100) (half on parcel a), red line R2 =
box(300, 800, 200, 200) (40 000 m², open land), basic farmland F1 = box(850, 0, 100, 50)
(5 000 m², on parcel e).

The plan draws only its plots: the rest of the zone (1 000 000 − 110 000 m² of parcels − 47 500 m²
of forbidden land on no parcel — R2 40 000, half of R1 5 000, half of F1 2 500 — = 842 500 m² =
1263.75 mu) is covered by no parcel, and the plan says that
land is suppliable (``meta["unparcelled_land"] = "suppliable"``); without that, it is reported as
unparcelled land and left out of the suppliable land.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from tests.conftest import box
from zoneplan.plan import Plan

NA = pd.NA


def analysis_plan(*, targets: bool = True) -> Plan:
    """The plan of the module docstring."""
    zones = gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["样例开发区"]}, geometry=[box(0, 0, 1000, 1000)], crs=4548)
    districts = gpd.GeoDataFrame(
        {"district_id": ["D1", "D2"], "zone_id": ["Z1", "Z1"], "name": ["西区", "东区"]},
        geometry=[box(0, 0, 500, 1000), box(500, 0, 500, 1000)],
        crs=4548,
    )
    parks = gpd.GeoDataFrame(
        {"park_id": ["PK1", "PK2"], "zone_id": ["Z1", "Z1"], "name": ["西南园", "东南园"]},
        geometry=[box(0, 0, 500, 500), box(500, 0, 500, 500)],
        crs=4548,
    )
    phases = gpd.GeoDataFrame(
        {
            "phase_id": ["PH1", "PH2"],
            "zone_id": ["Z1", "Z1"],
            "phase_no": [1, 2],
            "name": ["一期", "二期"],
            "target_area_mu": [600.0, 300.0],
            "start_year": [2018, 2022],
            "end_year": [2021, 2024],
        },
        geometry=[box(0, 0, 1000, 500), box(0, 500, 1000, 500)],
        crs=4548,
    )
    rows = [
        # id, geometry, code, status, supplied, built, planned, base, floor, footprint, inv, tax, enterprise
        ("a", box(0, 0, 100, 200), "100101", "built", 2018, 2019, NA, "0103", 40_000.0, 10_000.0, 9.0e7, 6.0e6, "甲公司"),
        ("b", box(200, 0, 100, 100), "1101", "built", 2019, 2020, NA, "2301", 15_000.0, 6_000.0, 1.5e7, 1.5e6, "乙公司"),
        ("c", box(0, 300, 100, 100), "0701", "built", 2019, 2020, NA, "0703", 30_000.0, 3_000.0, NA, 3.0e5, None),
        ("d", box(600, 0, 100, 100), "100102", "supplied", 2021, NA, NA, "0101", NA, NA, NA, NA, None),
        ("e", box(800, 0, 100, 100), "0901", "ready", NA, NA, NA, "0103", NA, NA, NA, NA, None),
        ("f", box(600, 300, 100, 100), "100101", "unready", NA, NA, 2025, "0103", NA, NA, NA, NA, None),
        ("g", box(0, 600, 200, 100), "1701", "unbuildable", NA, NA, NA, "1701", NA, NA, NA, NA, None),
        ("h", box(600, 600, 100, 100), "0703", "built", NA, NA, NA, NA, NA, NA, NA, NA, None),
        ("i", box(300, 300, 100, 100), "0103", "unready", NA, NA, NA, "0103", NA, NA, NA, NA, None),
    ]
    cols = [
        "parcel_id",
        "geometry",
        "landuse_code",
        "status",
        "supplied_year",
        "built_year",
        "planned_year",
        "base_landuse_code",
        "floor_area_m2",
        "footprint_m2",
        "investment_yuan",
        "tax_yuan",
        "enterprise",
    ]
    frame = pd.DataFrame(rows, columns=cols)
    frame["zone_id"] = "Z1"
    frame["agreed_start_date"] = [None, None, None, "2021-06-01", None, None, None, None, None]
    frame["tax_2019_yuan"] = [3.0e6, 3.0e5, NA, NA, NA, NA, NA, NA, NA]
    frame["tax_2020_yuan"] = [6.0e6, 4.5e5, NA, NA, NA, NA, NA, NA, NA]
    frame["tax_2021_yuan"] = [9.0e6, 6.0e5, NA, NA, NA, NA, NA, NA, NA]
    parcels = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=list(frame["geometry"]), crs=4548)
    control = gpd.GeoDataFrame(
        {"kind": ["ecological_redline", "ecological_redline", "basic_farmland"], "name": ["R1", "R2", "F1"]},
        geometry=[box(50, 0, 100, 100), box(300, 800, 200, 200), box(850, 0, 100, 50)],
        crs=4548,
    )
    tables = {}
    if targets:
        tables["targets"] = pd.DataFrame(
            {
                "scope": ["Z1", "D1", "Z1", "Z1"],
                "metric": ["industrial_share", "investment_intensity_wan_per_mu", "parcel_min_far", "land_supply_rate"],
                "year": [2025, 2023, NA, 2023],
                "op": [">=", ">=", ">=", "="],
                "value": [0.65, 200.0, 2.0, 0.8],
                "unit": ["fraction", "万元/亩", "ratio", "fraction"],
                "source": ["test"] * 4,
            }
        )
    layers = {"zones": zones, "districts": districts, "parks": parks, "phases": phases, "parcels": parcels, "control_lines": control}
    return Plan(layers, tables, meta={"name": "analysis-test", "title": "分析测试规划", "unparcelled_land": "suppliable"})
