"""A small hand-built plan for scenario, comparison and report tests; every answer is exact.

Zone ``Z1``: 2000 m × 1000 m = 3000 mu. Phase ``PH2`` (2022–2024) is its west half, ``PH3``
(2023–2027) its east half, 1500 mu each. Parks ``PK-T`` (textiles, west) and ``PK-L``
(logistics, east) cover the same halves.

=======  ======  ======  ========  ===========  ==================  ==========
parcel   phase   mu      code      status       supplied / built    planned
=======  ======  ======  ========  ===========  ==================  ==========
A        PH2     60      100101    built        2018 / 2019
B        PH2     100     100101    ready        2023 / —            2023
C        PH3     60      1101      supplied     2021 / —
D        PH3     60      100102    built        2020 / 2021
E        PH3     150     0701      unready      2025 / —            2025
W        PH2     60      1701      unbuildable
=======  ======  ======  ========  ===========  ==================  ==========

Construction land newly supplied per year (zone Z1): 2018 60, 2020 60, 2021 60, 2023 100,
2025 150 mu. Parcel B (100 mu exactly: 200 m × 1000/3 m) is the one scenarios move.

The plan draws only these plots and says the land between them is suppliable
(``meta["unparcelled_land"] = "suppliable"``).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from tests.conftest import X0, Y0, box
from zoneplan.plan import Plan

__all__ = ["X0", "Y0", "box", "scenario_plan"]


def scenario_plan() -> Plan:
    """The plan of the module docstring."""
    zones = gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["情景测试区"], "approved_area_mu": [3000.0]}, geometry=[box(0, 0, 2000, 1000)], crs=4548)
    phases = gpd.GeoDataFrame(
        {
            "phase_id": ["PH2", "PH3"],
            "zone_id": ["Z1", "Z1"],
            "phase_no": [2, 3],
            "name": ["二期", "三期"],
            "target_area_mu": [1500.0, 1500.0],
            "start_year": [2022, 2023],
            "end_year": [2024, 2027],
            "investment_yuan": [1.0e10, 1.3e10],
        },
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 1000, 1000)],
        crs=4548,
    )
    parks = gpd.GeoDataFrame(
        {"park_id": ["PK-T", "PK-L"], "zone_id": ["Z1", "Z1"], "name": ["纺织园", "物流园"], "industry": ["textiles", "logistics"]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 1000, 1000)],
        crs=4548,
    )
    na = pd.NA
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ["A", "B", "C", "D", "E", "W"],
            "zone_id": ["Z1"] * 6,
            "phase_id": ["PH2", "PH2", "PH3", "PH3", "PH3", "PH2"],
            "park_id": ["PK-T", "PK-T", "PK-L", "PK-L", "PK-L", "PK-T"],
            "landuse_code": ["100101", "100101", "1101", "100102", "0701", "1701"],
            "base_landuse_code": ["0103", "0103", "0103", "0103", "0103", "1701"],
            "status": ["built", "ready", "supplied", "built", "unready", "unbuildable"],
            "supplied_year": [2018, 2023, 2021, 2020, 2025, na],
            "built_year": [2019, na, na, 2021, na, na],
            "planned_year": [na, 2023, na, na, 2025, na],
            "floor_area_m2": [80_000.0, na, na, 60_000.0, na, na],
            "footprint_m2": [20_000.0, na, na, 16_000.0, na, na],
            "investment_yuan": [1.2e8, na, 3.0e7, 9.0e7, na, na],
            "tax_yuan": [6.0e6, na, na, 1.8e6, na, na],
            "enterprise": ["甲纺织", None, "乙物流", "丙纺织", None, None],
            "project": ["existing", "new", "new", "renovated", None, None],
        },
        geometry=[
            box(0, 0, 200, 200),
            box(300, 0, 200, 1000 / 3),
            box(1100, 0, 200, 200),
            box(1400, 0, 200, 200),
            box(1100, 400, 300, 333.3333333333333),
            box(0, 600, 200, 200),
        ],
        crs=4548,
    )
    targets = pd.DataFrame(
        {
            "scope": ["Z1", "Z1"],
            "metric": ["parcel_min_far", "industrial_share"],
            "year": [pd.NA, 2025],
            "op": [">=", ">="],
            "value": [1.0, 0.3],
            "unit": ["ratio", "fraction"],
            "source": ["test", "test"],
        }
    )
    quotas = pd.DataFrame({"zone_id": ["Z1", "Z1"], "year": [2023, 2024], "new_construction_mu": [120.0, 120.0]})
    return Plan(
        {"zones": zones, "phases": phases, "parks": parks, "parcels": parcels},
        {"targets": targets, "quotas": quotas},
        meta={"name": "scenario-test", "title": "情景测试规划", "unparcelled_land": "suppliable"},
    )
