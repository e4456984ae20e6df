"""Small hand-built plans for the map tests (answers known exactly)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from tests.conftest import box
from zoneplan.plan import Plan

#: An enterprise name that would run as code if a page inserted it as HTML.
XSS = "<script>window.__zpXss=1</script><b>甲</b>"


def layout_plan() -> Plan:
    """A 2000 m × 1000 m zone (3000 mu): two districts, four parks, three phases, eight parcels.

    Phase areas: 一期 400 × 1000 m = 600 mu, 二期 600 × 1000 m = 900 mu, 三期 1000 × 1000 m = 1500 mu.
    Parcels are 200 m × 200 m (60 mu); parcel Q2's enterprise is :data:`XSS`.
    """
    crs = 4548
    zones = gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["示例开发区"]}, geometry=[box(0, 0, 2000, 1000)], crs=crs)
    districts = gpd.GeoDataFrame(
        {"district_id": ["D1", "D2"], "zone_id": ["Z1", "Z1"], "name": ["城区板块", "烟店板块"], "role": ["新旧动能转换核心区", "轴承产业示范区"]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 1000, 1000)],
        crs=crs,
    )
    parks = gpd.GeoDataFrame(
        {
            "park_id": ["A1", "A2", "A3", "A4"],
            "zone_id": ["Z1"] * 4,
            "district_id": ["D1", "D1", "D2", "D2"],
            "name": ["智能装备产业园", "生态医养服务园", "有色金属产业园", "烟店轴承产业园"],
            "industry": ["装备", "医养", "有色", "轴承"],
        },
        geometry=[box(0, 0, 1000, 500), box(0, 500, 1000, 500), box(1000, 0, 1000, 500), box(1000, 500, 1000, 500)],
        crs=crs,
    )
    phases = gpd.GeoDataFrame(
        {
            "phase_id": ["PH1", "PH2", "PH3"],
            "zone_id": ["Z1"] * 3,
            "phase_no": [1, 2, 3],
            "name": ["一期", "二期", "三期"],
            "target_area_mu": [600.0, 900.0, 1500.0],
            "start_year": [2021, 2022, 2023],
            "end_year": [2023, 2024, 2027],
            "investment_yuan": [8.0e9, 1.0e10, 1.3e10],
        },
        geometry=[box(0, 0, 400, 1000), box(400, 0, 600, 1000), box(1000, 0, 1000, 1000)],
        crs=crs,
    )
    codes = ["100101", "100102", "100103", "1101", "0701", "0804", "1401", "0101"]
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": [f"Q{i}" for i in range(1, 9)],
            "zone_id": ["Z1"] * 8,
            "landuse_code": codes,
            "status": ["built", "built", "supplied", "ready", "built", "built", "unready", "unbuildable"],
            "enterprise": ["甲公司", XSS, None, None, None, None, None, None],
        },
        geometry=[box(50 + 250 * i, 50 if i < 4 else 550, 200, 200) for i in range(4)]
        + [box(1050 + 250 * (i - 4), 50 if i < 6 else 550, 200, 200) for i in range(4, 8)],
        crs=crs,
    )
    control = gpd.GeoDataFrame({"kind": ["ecological_redline"], "name": ["湿地红线"]}, geometry=[box(1800, 600, 150, 150)], crs=crs)
    return Plan(
        {"zones": zones, "districts": districts, "parks": parks, "phases": phases, "parcels": parcels, "control_lines": control},
        meta={"name": "layout", "title": "示例开发区", "source": "zoneplan tests"},
    )


def violations_of(plan: Plan) -> gpd.GeoDataFrame:
    """Two violations in the compliance contract's columns: Q1's FAR and Q8's 150 m × 150 m in the red line."""
    parcels = plan.parcels.set_index("parcel_id")
    return gpd.GeoDataFrame(
        {
            "rule": ["parcel_min_far", "ecological_redline"],
            "layer": ["parcels", "parcels"],
            "feature_id": ["Q1", "Q8"],
            "measured": [1.2, 0.5625],
            "limit": [2.0, 0.0],
            "unit": ["ratio", "fraction"],
            "area_m2": [40_000.0, 22_500.0],
            "area_mu": [60.0, 33.75],
            "message": ["容积率 1.2 < 2.0", "地块位于生态保护红线内"],
        },
        geometry=[parcels.geometry["Q1"], parcels.geometry["Q8"].intersection(box(1800, 600, 150, 150))],
        crs=plan.crs,
    )


def indicator_table() -> pd.DataFrame:
    """An indicator table by park, ids in ``group_id`` (the analysis contract's form)."""
    return pd.DataFrame({"group_id": ["A1", "A2", "A3", "A4"], "investment_intensity_wan_per_mu": [120.0, 250.0, 310.0, None]})
