"""One "plan in year Y" table (zoneplan.state), read by analysis, compliance, maps and reports alike.

Running ``analyze``, ``check``, a map and a report of one plan and year builds the per-parcel
table once; the report runs ``check`` once; rule overrides stored in the plan reach every reader.
"""

from __future__ import annotations

import collections
import json

import numpy as np
import pandas as pd
import pytest

import zoneplan.compliance
import zoneplan.state
from zoneplan import _memo, datasets
from zoneplan.analysis import analyze, indicators
from zoneplan.analysis._frame import parcel_frame
from zoneplan.analysis.timeline import landuse_at, status_at
from zoneplan.compliance import check
from zoneplan.compliance._base import parcel_flags
from zoneplan.errors import PlanError
from zoneplan.maps import make_map
from zoneplan.maps.kinds import build_spec
from zoneplan.measure import ellipsoidal_area_m2
from zoneplan.report import write_report
from zoneplan.settings import settings
from zoneplan.state import plan_state


@pytest.fixture
def builds(monkeypatch) -> collections.Counter:
    """Count the builds of the per-year table, by year (nothing memoised at the start)."""
    counts: collections.Counter = collections.Counter()
    real = zoneplan.state._build

    def counting(plan, year, basis):
        counts[year] += 1
        return real(plan, year, basis)

    _memo.clear()
    monkeypatch.setattr(zoneplan.state, "_build", counting)
    return counts


def test_analyze_check_map_and_report_build_the_year_once(builds, monkeypatch, tmp_path) -> None:
    checks = []
    real_check = zoneplan.compliance.check

    def counting_check(plan, **kwargs):
        checks.append(kwargs.get("year"))
        return real_check(plan, **kwargs)

    monkeypatch.setattr(zoneplan.compliance, "check", counting_check)
    plan = datasets.load("linqing")
    doc = analyze(plan, year=2025, by="district")
    found = check(plan, year=2025)
    make_map(plan, kind="landuse", year=2025)
    make_map(plan, kind="compliance", year=2025, violations=found.violations)
    checks.clear()
    report = write_report(plan, tmp_path / "linqing.html", years=[2025], progress=False)
    assert builds[2025] == 1  # analysis, compliance, both maps and the report shared one table
    assert max(builds.values()) == 1  # and no other year (target years, the plan as it stands) twice
    assert checks == [2025]  # the report's compliance map drew the findings compare had
    assert {g["id"] for g in doc["groups"]} == {"linqing-city", "linqing-yandian"}
    counted = found.summary.set_index("rule")["count"]
    assert {f["rule"]: f["count"] for f in report["tables"]["findings"] if f["count"]} == counted[counted > 0].to_dict()


def test_every_reader_sees_the_same_table(builds) -> None:
    plan = datasets.load("zhangdian")
    state = plan_state(plan, 2021)
    assert parcel_frame(plan, 2021) is state.table
    assert parcel_flags(plan, 2021) is state.table
    assert builds[2021] == 1
    # the table says what the timeline rules say
    pd.testing.assert_series_equal(state.table["landuse_code"], landuse_at(plan, 2021).astype("string"), check_names=False)
    pd.testing.assert_series_equal(state.table["status"].astype("string"), status_at(plan, 2021), check_names=False)
    np.testing.assert_allclose(state.table["area_m2"], plan.parcels.area)
    assert state.area_basis == "planar" and state.table.attrs["year"] == 2021


def test_year_flags_on_a_tiny_plan(tiny_plan) -> None:
    """In 2020 P1 and P2 (industrial, built 2019/2020) are built; P3 (housing, supplied 2021) and P4
    are not developed, so they have no code in force (the plan has no base codes); as planned,
    P3 is housing."""
    t = plan_state(tiny_plan, 2020).table.set_axis(tiny_plan.parcels["parcel_id"])
    assert t["status"].astype(str).to_dict() == {"P1": "built", "P2": "built", "P3": "ready", "P4": "ready"}
    assert t["industrial"].to_dict() == {"P1": True, "P2": True, "P3": False, "P4": False}
    assert t["landuse_code"].tolist()[:2] == ["100101", "100102"] and t["landuse_code"].iloc[2:].isna().all()
    assert t["area_m2"].round(6).tolist() == [40_000.0] * 4
    planned = plan_state(tiny_plan).table.set_axis(tiny_plan.parcels["parcel_id"])
    assert planned["residential"].to_dict() == {"P1": False, "P2": False, "P3": True, "P4": False}
    assert planned["code"].astype(str).tolist() == ["100101", "100102", "0701", "1101"]
    assert planned["status"].astype(str).tolist() == ["built", "built", "supplied", "ready"]


def test_a_state_refuses_groups_after_the_plan_changed(tiny_plan) -> None:
    state = plan_state(tiny_plan, 2020)
    assert state.groups("zone").tolist() == ["Z1"] * 4
    tiny_plan.parcels["zone_id"] = "Z2"
    with pytest.raises(PlanError, match="changed after its state was taken"):
        state.groups("zone")
    assert plan_state(tiny_plan, 2020).groups("zone").tolist() == ["Z2"] * 4


def test_the_area_basis_setting_reaches_every_reader(builds) -> None:
    plan = datasets.load("linqing").with_meta(area_basis=None)  # a plan that names no basis follows the setting
    planar = plan_state(plan, 2025)
    with settings.override(area_basis="ellipsoidal"):
        ellipsoidal = plan_state(plan, 2025)
        ratio_e = indicators(plan, by="zone", year=2025)
        assert parcel_flags(plan, 2025) is ellipsoidal.table
    assert planar.area_basis == "planar" and ellipsoidal.area_basis == "ellipsoidal"
    np.testing.assert_allclose(ellipsoidal.table["area_m2"], ellipsoidal_area_m2(plan.parcels))
    # Gauss–Krüger is conformal with scale ≥ 1: the ellipsoidal area is never larger
    assert (ellipsoidal.table["area_m2"] <= planar.table["area_m2"]).all()
    assert (ellipsoidal.table["area_m2"] < planar.table["area_m2"]).any()
    assert builds[2025] == 2  # one table per basis, not one shared by both
    ratio_p = indicators(plan, by="zone", year=2025)
    assert ratio_e.loc["linqing", "industrial_land_ratio"] == pytest.approx(ratio_p.loc["linqing", "industrial_land_ratio"], rel=1e-3)
    assert ratio_e.loc["linqing", "investment_intensity_wan_per_mu"] > ratio_p.loc["linqing", "investment_intensity_wan_per_mu"]


def _drawn_rules(plan) -> set[str]:
    (violations,) = [o for o in build_spec(plan, kind="compliance").overlays if o.name == "违规 Violations"]
    return set(violations.data["rule"])


def test_rules_stored_in_the_plan_reach_check_report_and_map(tmp_path) -> None:
    plan = datasets.load("linqing")
    before = check(plan).summary.set_index("rule")["count"]
    assert before["idle_land"] == 3 and before["env_adjacency"] == 1
    edited = plan.with_meta(rules=json.dumps({"idle": False, "env_min_distance_m": 0.5}))
    after = check(edited)
    counts = after.summary.set_index("rule")["count"]
    assert "idle_land" not in counts[counts > 0] and after.not_checked["idle_land"] == "switched off by the rules"
    assert after.settings["env_min_distance_m"] == 0.5 and after.settings["provenance"]["idle"] == "plan metadata rules"
    # the call's own rules still win over the stored ones
    assert check(edited, rules={"idle": True}).summary.set_index("rule")["count"]["idle_land"] == 3
    drawn = _drawn_rules(edited)
    assert "idle_land" not in drawn and "basic_farmland_overlap" in drawn
    assert "idle_land" in _drawn_rules(plan)
    report = write_report(edited, tmp_path / "r.xlsx", progress=False)
    reported = {f["rule"] for f in report["tables"]["findings"] if f["count"]}
    assert "idle_land" not in reported and "basic_farmland_overlap" in reported
