"""Plan over time, grouping and idle land, on hand-built plans with known answers."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from tests.conftest import box
from tests.plans_analysis import analysis_plan
from zoneplan.analysis import assign_groups, idle_land, landuse_at, status_at
from zoneplan.analysis.idle import SANCTION_FEE, SANCTION_RECOVERY
from zoneplan.errors import InputError
from zoneplan.plan import Plan


def _codes(plan: Plan, year: int | None) -> dict[str, object]:
    codes = landuse_at(plan, year)
    return dict(zip(plan.parcels["parcel_id"], codes.tolist()))


def test_landuse_at_follows_built_planned_and_status_rule() -> None:
    plan = analysis_plan()
    at_2018 = _codes(plan, 2018)
    # a is built in 2019: farmland before, industrial from 2019
    assert at_2018["a"] == "0103" and _codes(plan, 2019)["a"] == "100101"
    # d is supplied but not built and has no planned year: still its base code
    assert _codes(plan, 2030)["d"] == "0101"
    # f is planned for 2025
    assert _codes(plan, 2024)["f"] == "0103" and _codes(plan, 2025)["f"] == "100101"
    # h: no years and status built → its code in every year; no base code would be NA
    assert at_2018["h"] == "0703"
    # as the plan stands: the landuse_code column
    assert _codes(plan, None) == dict(zip(plan.parcels["parcel_id"], plan.parcels["landuse_code"]))


def test_landuse_at_without_base_code_is_na() -> None:
    parcels = gpd.GeoDataFrame({"parcel_id": ["x"], "landuse_code": ["100101"], "built_year": [2020]}, geometry=[box(0, 0, 10, 10)], crs=4548)
    assert landuse_at(Plan({"parcels": parcels}), 2019).isna().all()


def test_status_at_rewinds_history() -> None:
    plan = analysis_plan()
    by_id = lambda y: dict(zip(plan.parcels["parcel_id"], status_at(plan, y).tolist()))  # noqa: E731
    s2018 = by_id(2018)
    assert s2018["a"] == "supplied"  # supplied 2018, built 2019
    assert s2018["b"] == "ready" and s2018["d"] == "ready"  # supplied later: not yet supplied
    assert s2018["h"] == "built" and s2018["g"] == "unbuildable" and s2018["f"] == "unready"
    assert by_id(2019)["a"] == "built"
    assert by_id(2025)["f"] == "built"  # planned year counts as the plan's target state
    assert by_id(None) == dict(zip(plan.parcels["parcel_id"], plan.parcels["status"]))


def test_assign_groups_uses_columns_then_representative_points() -> None:
    plan = analysis_plan()
    assert assign_groups(plan, "zone").tolist() == ["Z1"] * 9
    districts = dict(zip(plan.parcels["parcel_id"], assign_groups(plan, "district")))
    assert [k for k, v in districts.items() if v == "D1"] == ["a", "b", "c", "g", "i"]
    assert [k for k, v in districts.items() if v == "D2"] == ["d", "e", "f", "h"]
    parks = dict(zip(plan.parcels["parcel_id"], assign_groups(plan, "park")))
    assert parks["g"] is pd.NA and parks["h"] is pd.NA  # north half: in no park
    assert parks["a"] == "PK1" and parks["e"] == "PK2"
    # an explicit column wins over geometry, nulls fall back to geometry
    parcels = plan.parcels.assign(district_id=["D2"] + [None] * 8)
    moved = plan.with_layer("parcels", parcels)
    assert assign_groups(moved, "district").tolist()[:3] == ["D2", "D1", "D1"]
    with pytest.raises(InputError, match="grouping level"):
        assign_groups(plan, "county")  # type: ignore[arg-type]


def _idle_plan() -> Plan:
    rows = {
        "parcel_id": ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"],
        "landuse_code": ["100101"] * 9,
        "status": ["supplied"] * 8 + ["built"],
        "supplied_year": [2020] * 9,
        "agreed_start_date": ["2021-03-01", "2022-03-02", "2020-01-01", None, "2020-02-29", "2020-01-01", "2020-01-01", "2020-01-01", "2020-01-01"],
        "started_date": [None, None, "2020-06-01", None, None, "2020-06-01", "2020-06-01", None, None],
        "suspended_date": [None, None, "2021-06-01", None, None, "2021-06-01", "2022-06-01", None, None],
        "developed_share": [np.nan, np.nan, 0.2, np.nan, np.nan, 0.5, 0.1, np.nan, np.nan],
        "invested_share": [np.nan, np.nan, 0.5, np.nan, np.nan, 0.3, 0.1, np.nan, np.nan],
        "idle_cause": [None, None, None, None, None, None, None, "government", None],
    }
    parcels = gpd.GeoDataFrame(rows, geometry=[box(i * 100, 0, 50, 50) for i in range(9)], crs=4548)
    return Plan({"parcels": parcels})


def test_idle_land_by_the_no_53_order() -> None:
    result = idle_land(_idle_plan(), as_of=dt.date(2023, 3, 1))
    r = result.set_axis(["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"])
    # p1: agreed 2021-03-01, not started: exactly two full years → recovery
    assert r.loc["p1", "idle"] and r.loc["p1", "idle_years"] == 2.0 and r.loc["p1", "sanction"] == SANCTION_RECOVERY
    # p2: agreed 2022-03-02: one day short of a full year → not idle yet
    assert not r.loc["p2", "idle"] and r.loc["p2", "sanction"] is None
    # p3: started, developed 0.2 < 1/3, suspended 2021-06-01 → idle 1 year and 273 days → fee
    assert r.loc["p3", "idle"] and r.loc["p3", "sanction"] == SANCTION_FEE
    assert r.loc["p3", "idle_years"] == pytest.approx(1 + 273 / 365.25)
    # p4: supplied, no agreed start date → cannot judge, never "not idle" silently
    assert r.loc["p4", "cannot_judge"] and not r.loc["p4", "idle"]
    # p5: 29 February 2020 → three anniversaries by 1 March 2023
    assert r.loc["p5", "idle"] and np.floor(r.loc["p5", "idle_years"]) == 3
    # p6: suspended but developed ≥ 1/3 and invested ≥ 25 % → not idle
    assert not r.loc["p6", "idle"] and not r.loc["p6", "cannot_judge"]
    # p7: low shares but suspended only since 2022-06-01 (< 1 year)
    assert not r.loc["p7", "idle"]
    # p8: government cause (Art. 8) → not idle, reason says so
    assert not r.loc["p8", "idle"] and "Art. 8" in r.loc["p8", "reason"]
    # p9: built → not idle
    assert not r.loc["p9", "idle"] and r.loc["p9", "reason"] == "built"
    assert list(result.columns) == ["idle", "cannot_judge", "idle_years", "reason", "sanction"]
    assert result.index.equals(_idle_plan().parcels.index)


def test_idle_land_judged_in_the_past_sees_no_supply() -> None:
    result = idle_land(_idle_plan(), as_of=dt.date(2019, 12, 31))
    assert not result["idle"].any() and (result["reason"] == "not supplied").all()


def test_idle_land_bad_date_names_the_parcel() -> None:
    plan = _idle_plan()
    broken = plan.with_layer("parcels", plan.parcels.assign(agreed_start_date=["2021-13-45"] + [None] * 8))
    with pytest.raises(InputError, match="p1"):
        idle_land(broken, as_of=dt.date(2023, 3, 1))


def test_idle_land_is_judged_once_and_a_callers_edit_stays_with_the_caller() -> None:
    """idle_land is stored per plan content and date (the evaluation and the idle-land rule
    share it); what a caller does to the table it got does not reach the next caller, and an
    edit of the plan is judged afresh."""
    plan = _idle_plan()
    first = idle_land(plan, as_of=dt.date(2023, 3, 1))
    first.loc[first.index[0], "idle"] = False
    first["reason"] = "edited"
    again = idle_land(plan, as_of=dt.date(2023, 3, 1))
    assert bool(again["idle"].iloc[0]) and again["reason"].iloc[8] == "built"
    plan.parcels.loc[plan.parcels.index[0], "started_date"] = "2021-04-01"
    plan.parcels.loc[plan.parcels.index[0], "developed_share"] = 0.9
    assert not bool(idle_land(plan, as_of=dt.date(2023, 3, 1))["idle"].iloc[0])
