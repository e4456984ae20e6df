"""Land consumption, remaining land, years of supply left and land-use structure.

Expected values are worked out by hand from tests/plans_analysis.py (10 000 m² = 15 mu).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from tests.conftest import box
from tests.plans_analysis import analysis_plan
from zoneplan.analysis import industrial_ratio, land_consumption, landuse_structure, phase_progress, remaining_geometry, remaining_land
from zoneplan.analysis.remaining import forbidden_area
from zoneplan.plan import Plan
from zoneplan.validate import validate


def test_land_consumption_per_year_and_origin() -> None:
    out = land_consumption(analysis_plan(), by="zone")
    assert list(out.columns[:8]) == [
        "level",
        "group_id",
        "year",
        "new_construction_m2",
        "new_construction_mu",
        "cumulative_mu",
        "from_agricultural_mu",
        "from_unused_mu",
    ]
    assert out["year"].tolist() == [2018, 2019, 2021]
    assert out["new_construction_mu"].tolist() == pytest.approx([30.0, 30.0, 15.0])
    assert out["cumulative_mu"].tolist() == pytest.approx([30.0, 60.0, 75.0])
    # 2018: a from cropland; 2019: b from 2301 (unused), c from 0703 (already construction)
    assert out["from_agricultural_mu"].tolist() == pytest.approx([30.0, 0.0, 15.0])
    assert out["from_unused_mu"].tolist() == pytest.approx([0.0, 15.0, 0.0])
    assert out["from_construction_mu"].tolist() == pytest.approx([0.0, 15.0, 0.0])
    parts = out[["from_agricultural_mu", "from_unused_mu", "from_construction_mu", "from_unknown_mu"]].sum(axis=1)
    assert np.allclose(parts, out["new_construction_mu"])


def test_land_consumption_parts_sum_to_the_zone_at_every_level() -> None:
    plan = analysis_plan()
    zone = land_consumption(plan, by="zone").groupby("year")["new_construction_mu"].sum()
    for level in ("district", "park", "phase"):
        per = land_consumption(plan, by=level).groupby("year")["new_construction_mu"].sum()
        assert per.to_dict() == pytest.approx(zone.to_dict()), level
    districts = land_consumption(plan, by="district")
    assert districts.loc[districts["group_id"] == "D2", "new_construction_mu"].tolist() == pytest.approx([15.0])


def test_phase_progress_against_linear_schedule() -> None:
    out = phase_progress(analysis_plan())
    ph1 = out[out["phase_id"] == "PH1"].set_index("year")
    # completions in PH1: a built 2019 (30 mu), b and c built 2020 (30 mu), f planned 2025 (15 mu)
    assert ph1.index.tolist() == list(range(2018, 2026))
    assert ph1["planned_cumulative_mu"].tolist() == pytest.approx([150.0, 300.0, 450.0, 600.0, 600.0, 600.0, 600.0, 600.0])
    assert ph1["cumulative_mu"].tolist() == pytest.approx([0.0, 30.0, 60.0, 60.0, 60.0, 60.0, 60.0, 75.0])
    assert ph1.loc[2021, "progress"] == pytest.approx(0.1)
    assert ph1.loc[2021, "behind_mu"] == pytest.approx(540.0)
    assert not ph1["on_schedule"].any()
    ph2 = out[out["phase_id"] == "PH2"]
    assert ph2["year"].tolist() == [2022, 2023, 2024] and (ph2["cumulative_mu"] == 0).all()
    # a phase that delivers its target on time is on schedule
    plan = analysis_plan()
    small = plan.with_layer("phases", plan.phases.assign(target_area_mu=[60.0, 300.0], start_year=[2019, 2022], end_year=[2020, 2024]))
    on_time = phase_progress(small, year=2020)
    assert on_time.loc[on_time["phase_id"] == "PH1", "on_schedule"].tolist() == [True, True]


def test_remaining_land_per_zone() -> None:
    row = remaining_land(analysis_plan(), year=2023).iloc[0]
    assert row["area_mu"] == pytest.approx(1500.0)
    assert row["built_mu"] == pytest.approx(75.0)  # a, b, c, h
    assert row["supplied_mu"] == pytest.approx(15.0)  # d
    assert row["unbuildable_mu"] == pytest.approx(30.0)  # g
    # red lines 10 000 + 40 000 m², farmland 5 000 m², minus the 5 000 m² already under built a
    assert row["forbidden_mu"] == pytest.approx(75.0)
    assert row["remaining_mu"] == pytest.approx(1305.0)
    # farmland parcel i (0103 kept by the plan) is remaining but not suppliable
    assert row["remaining_suppliable_mu"] == pytest.approx(1290.0)
    # supply 2021–2023: 15 mu → 5 mu a year
    assert row["annual_supply_mu"] == pytest.approx(5.0)
    assert row["years_of_supply_left"] == pytest.approx(258.0)
    assert "2021–2023" in row["assumption"] and "1,290.00 mu" in row["assumption"]


def test_land_covered_by_no_parcel_is_unparcelled_not_suppliable() -> None:
    said_so = remaining_land(analysis_plan(), year=2023).iloc[0]
    plan = analysis_plan().with_meta(unparcelled_land="")
    row = remaining_land(plan, year=2023).iloc[0]
    # remaining land is the same: allowed land on parcels not taken (e 15 − 3.75 farmland, f 15, i 15) + unparcelled
    assert row["remaining_mu"] == pytest.approx(1305.0) == said_so["remaining_mu"]
    assert row["unparcelled_mu"] == pytest.approx(1263.75) == said_so["unparcelled_mu"]
    assert row["remaining_mu"] == pytest.approx(11.25 + 15 + 15 + row["unparcelled_mu"])
    # suppliable: e (11.25 mu off the farmland) + f (15 mu); i is farmland kept, the rest is on no parcel
    assert row["remaining_suppliable_mu"] == pytest.approx(26.25)
    assert said_so["remaining_suppliable_mu"] == pytest.approx(1290.0)
    assert "1,263.75 mu covered by no parcel not counted as suppliable" in row["assumption"]
    assert "counted as suppliable (the plan says so" in said_so["assumption"]
    assert row["years_of_supply_left"] == pytest.approx(26.25 / 5.0)


def test_years_of_supply_left_without_year_uses_last_supply_year() -> None:
    row = remaining_land(analysis_plan()).iloc[0]
    # window 2019–2021: 30 + 15 mu → 15 mu a year
    assert row["annual_supply_mu"] == pytest.approx(15.0)
    assert row["years_of_supply_left"] == pytest.approx(86.0)


def test_years_of_supply_left_with_no_supply_is_nan_with_reason() -> None:
    row = remaining_land(analysis_plan(), year=2017).iloc[0]
    assert np.isnan(row["years_of_supply_left"])
    assert "no construction land supplied in 2015–2017" in row["assumption"]
    # in 2017 only h was built: 1 000 000 − 10 000 − 20 000 − 55 000 m²
    assert row["remaining_mu"] == pytest.approx(1372.5)


def test_supply_rate_from_scenario_table_replaces_the_mean() -> None:
    plan = analysis_plan().with_table("supply_rates", pd.DataFrame({"scope": ["Z1"], "annual_supply_mu": [43.0]}))
    row = remaining_land(plan, year=2023).iloc[0]
    assert row["years_of_supply_left"] == pytest.approx(1290.0 / 43.0)
    assert "supply_rates" in row["assumption"]


def test_remaining_parts_sum_to_wholes_at_every_level() -> None:
    plan = analysis_plan()
    for level in ("zone", "district", "park", "phase"):
        out = remaining_land(plan, by=level, year=2023)
        total = out["built_mu"] + out["supplied_mu"] + out["unbuildable_mu"] + out["forbidden_mu"] + out["remaining_mu"]
        assert np.allclose(total, out["area_mu"]), level
    districts = remaining_land(plan, by="district", year=2023).set_index("group_id")
    assert districts.loc["D1", "remaining_mu"] == pytest.approx(592.5)
    assert districts.loc["D2", "remaining_mu"] == pytest.approx(712.5)
    assert districts["remaining_mu"].sum() == pytest.approx(1305.0)
    phases = remaining_land(plan, by="phase", year=2023)
    assert phases["remaining_mu"].sum() == pytest.approx(1305.0)


def test_remaining_geometry_matches_the_table() -> None:
    plan = analysis_plan()
    geom = remaining_geometry(plan, year=2023)
    assert list(geom.columns) == ["zone_id", "area_m2", "area_mu", "geometry"]
    assert geom["area_m2"].iloc[0] == pytest.approx(870_000.0)
    by_district = remaining_geometry(plan, year=2023, by="district").set_index("district_id")
    assert by_district.loc["D1", "area_mu"] == pytest.approx(592.5)
    assert by_district.loc["D2", "zone_id"] == "Z1"
    # nothing built or forbidden is left in the remaining polygon
    assert geom.geometry.iloc[0].intersection(plan.parcels.geometry.iloc[0]).area == pytest.approx(0.0)


def test_outside_urban_development_boundary_is_forbidden() -> None:
    zones = gpd.GeoDataFrame({"zone_id": ["Z"]}, geometry=[box(0, 0, 1000, 1000)], crs=4548)
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["p"], "zone_id": ["Z"], "landuse_code": ["100101"], "status": ["built"]}, geometry=[box(700, 0, 200, 100)], crs=4548
    )
    lines = gpd.GeoDataFrame({"kind": ["urban_development_boundary", "ecological_redline"]}, geometry=[box(0, 0, 800, 1000), box(0, 900, 100, 100)], crs=4548)
    plan = Plan({"zones": zones, "parcels": parcels, "control_lines": lines})
    # outside the boundary 200 000 m², inside the red line (within the boundary) 10 000 m²
    assert forbidden_area(plan, zones.geometry).tolist() == pytest.approx([210_000.0])
    assert forbidden_area(plan, parcels.geometry).tolist() == pytest.approx([10_000.0])
    row = remaining_land(plan).iloc[0]
    assert row["forbidden_mu"] * (10000 / 15) == pytest.approx(200_000.0)
    assert row["remaining_mu"] * (10000 / 15) == pytest.approx(1_000_000 - 20_000 - 200_000)
    assert remaining_geometry(plan)["area_m2"].iloc[0] == pytest.approx(780_000.0)


def test_landuse_structure_shares_per_year() -> None:
    plan = analysis_plan()
    out = landuse_structure(plan, year=[2023, 2025], class_level=1)
    y23 = out[out["year"] == 2023].set_index("code")
    # codes in force in 2023: 01 = d, e, f, i (base codes); 07 = c, h; 10 = a; 11 = b; 17 = g
    assert y23["area_m2"].to_dict() == pytest.approx({"01": 40_000.0, "07": 20_000.0, "10": 20_000.0, "11": 10_000.0, "17": 20_000.0})
    assert y23.loc["01", "share"] == pytest.approx(40 / 110)
    assert y23.loc["10", "name_zh"] == "工矿用地"
    for _, group in out.groupby("year"):
        assert group["share"].sum() == pytest.approx(1.0)
    y25 = out[out["year"] == 2025].set_index("code")
    assert y25.loc["10", "area_m2"] == pytest.approx(30_000.0)  # f planned for 2025
    level3 = landuse_structure(plan, class_level=3)
    assert set(level3["code"]) == {"100101", "100102", "1101", "0701", "0901", "1701", "0703", "0103"}
    # parts sum to wholes: districts add up to the zone per class
    by_district = landuse_structure(plan, by="district", year=2023).groupby("code")["area_m2"].sum()
    assert by_district.to_dict() == pytest.approx(y23["area_m2"].to_dict())


def test_industrial_share_and_industrial_land_ratio() -> None:
    plan = analysis_plan()
    out = industrial_ratio(plan, year=[2023, 2025]).set_index("year")
    # 2023: urban construction in force = a, b, c (40 000 m²); industrial 1001xx = a
    assert out.loc[2023, "urban_construction_mu"] == pytest.approx(60.0)
    assert out.loc[2023, "industrial_share"] == pytest.approx(0.5)
    # evaluation: A2 = a + b (industrial + storage), A = a + b + c
    assert out.loc[2023, "industrial_land_ratio"] == pytest.approx(0.75)
    # 2025: f (planned) adds 10 000 m² of industrial land
    assert out.loc[2025, "industrial_share"] == pytest.approx(0.6)
    assert out.loc[2025, "industrial_area_km2"] == pytest.approx(0.03)
    districts = industrial_ratio(plan, by="district", year=2025).set_index("group_id")
    assert districts["urban_construction_mu"].sum() == pytest.approx(out.loc[2025, "urban_construction_mu"])
    assert districts.loc["D2", "industrial_share"] == pytest.approx(1.0)


def _straddling(plan):
    """Parcel d (supplied 2021, 15 mu) moved to box(460, 0, 100, 100): 40 % in PK1/D1, 60 % in PK2/D2."""
    parcels = plan.parcels.copy()
    parcels.loc[parcels["parcel_id"] == "d", "geometry"] = box(460, 0, 100, 100)
    return plan.with_layer("parcels", parcels)


def test_a_parcel_across_a_park_edge_is_apportioned_by_area() -> None:
    plan = _straddling(analysis_plan())
    by_park = remaining_land(plan, by="park", year=2023).set_index("group_id")
    # d's centre (510, 50) is in PK2; by area 6 mu are in PK1 and 9 mu in PK2
    assert by_park.loc["PK1", "supplied_mu"] == pytest.approx(6.0)
    assert by_park.loc["PK2", "supplied_mu"] == pytest.approx(9.0)
    for park in ("PK1", "PK2"):
        row = by_park.loc[park]
        assert row["area_mu"] == pytest.approx(row["built_mu"] + row["supplied_mu"] + row["unbuildable_mu"] + row["forbidden_mu"] + row["remaining_mu"])
    # districts split on the same line; the zone is not split and keeps the whole parcel
    by_district = remaining_land(plan, by="district", year=2023).set_index("group_id")
    assert by_district.loc[["D1", "D2"], "supplied_mu"].tolist() == pytest.approx([6.0, 9.0])
    assert remaining_land(plan, year=2023).iloc[0]["supplied_mu"] == pytest.approx(15.0)
    # land consumption and land-use structure apportion the same way
    supplied = land_consumption(plan, by="park")
    in_2021 = supplied[supplied["year"] == 2021].set_index("group_id")["new_construction_mu"]
    assert in_2021.loc["PK1"] == pytest.approx(6.0) and in_2021.loc["PK2"] == pytest.approx(9.0)
    structure = landuse_structure(plan, by="park", class_level=3)
    class2 = structure[structure["code"] == "100102"].set_index("group_id")["area_mu"]
    assert class2.to_dict() == pytest.approx({"PK1": 6.0, "PK2": 9.0})


def test_a_parcel_placed_by_position_across_an_edge_is_flagged_one_with_its_own_park_id_is_not() -> None:
    plan = _straddling(analysis_plan())
    problems = validate(plan)
    crossing = problems[problems["rule"] == "crosses_group_edge"].set_index("other_id")
    assert set(crossing["feature_id"]) == {"d"}
    assert crossing.loc["PK1", "value"] == pytest.approx(6.0) and crossing.loc["D1", "value"] == pytest.approx(6.0)
    assert "6.00 mu (40%) lies in park PK1, outside its park PK2; counted by area share in each park (give it a park_id" in crossing.loc["PK1", "message"]
    pinned = plan.with_layer("parcels", plan.parcels.assign(park_id=["PK2" if p == "d" else None for p in plan.parcels["parcel_id"]]))
    by_park = remaining_land(pinned, by="park", year=2023).set_index("group_id")
    assert by_park.loc["PK2", "supplied_mu"] == pytest.approx(15.0) and by_park.loc["PK1", "supplied_mu"] == pytest.approx(0.0)
    flagged = validate(pinned).query("rule == 'crosses_group_edge'")
    assert flagged["other_id"].tolist() == ["D1"]  # the plan places it in PK2; its district is still by position
    # a sliver under the tolerance is no problem and splits nothing
    assert validate(analysis_plan()).query("rule == 'crosses_group_edge'").empty
