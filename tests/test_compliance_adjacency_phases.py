"""Environmental adjacency, phases and idle land on the hand-built plan."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.plans_compliance import box, compliance_plan
from zoneplan.compliance import env_adjacency, idle_findings, phase_findings


@pytest.fixture(scope="module")
def plan():
    return compliance_plan()


def _pairs(findings):
    v = findings.violations
    return sorted(zip(v["feature_id"], v["other_id"], v["measured"].round(9)))


def test_adjacency_pairs_and_distances(plan):
    findings = env_adjacency(plan)
    # D (class 3) – E 50 m and – C 100 m (exactly at the limit: within); N (risk class 4) – S 50 m.
    # N2 is risk class 3 (not a source); M is class 3 but far from every receptor.
    assert _pairs(findings) == [("D", "C", 100.0), ("D", "E", 50.0), ("N", "S", 50.0)]
    v = findings.violations.set_index("feature_id")
    assert set(findings.violations["limit"]) == {100.0}
    # Evidence: the shortest line between the two parcels, as long as the distance.
    assert findings.violations.geometry.length.tolist() == pytest.approx(findings.violations["measured"].tolist())
    assert "risk class 4" in v.loc["N", "message"]


def test_distance_from_the_plans_target_and_from_the_rules(plan):
    targets = pd.concat([plan.targets, pd.DataFrame({"scope": ["Z1"], "metric": ["env_min_distance_m"], "op": [">="], "value": [60.0]})], ignore_index=True)
    assert _pairs(env_adjacency(plan.with_table("targets", targets))) == [("D", "E", 50.0), ("N", "S", 50.0)]
    assert _pairs(env_adjacency(plan, rules={"env_min_distance_m": 0})) == []
    assert _pairs(env_adjacency(plan, rules={"env_risk_min_class": 3, "env_min_distance_m": 50})) == [("D", "E", 50.0), ("N", "S", 50.0), ("N2", "S", 50.0)]


def test_touching_parcels_are_at_distance_zero(plan):
    parcels = plan.parcels.copy()
    parcels.loc[parcels["parcel_id"] == "S", "geometry"] = box(1300, 100, 100, 100)
    findings = env_adjacency(plan.with_layer("parcels", parcels), rules={"env_min_distance_m": 0})
    assert _pairs(findings) == [("N", "S", 0.0)]


def _with_codes(plan, **codes):
    parcels = plan.parcels.copy()
    for pid, code in codes.items():
        parcels.loc[parcels["parcel_id"] == pid, "landuse_code"] = code
    return plan.with_layer("parcels", parcels)


def test_industry_of_unknown_subclass_near_a_receptor_cannot_be_judged(plan):
    # A 100101 → 1001 (工业用地, sub-class not given, no risk class): 100 m from C (0701) — it may be class 3.
    # M → 10 (工矿用地): far from every receptor, so there is nothing to judge.
    edited = _with_codes(plan, A="1001", M="10")
    findings = env_adjacency(edited)
    cannot = findings.cannot_judge.set_index("feature_id")
    assert list(cannot.index) == ["A"]
    assert cannot.loc["A", "missing"] == "industrial sub-class"
    assert "C" in cannot.loc["A", "message"] and "100.0 m" in cannot.loc["A", "message"]
    assert not findings.compliant
    # The known sources are still violations, unchanged.
    assert _pairs(findings) == [("D", "C", 100.0), ("D", "E", 50.0), ("N", "S", 50.0)]
    assert findings.summary.set_index("rule").loc["env_adjacency", "cannot_judge"] == 1


def test_a_risk_class_settles_an_unknown_subclass(plan):
    # N2 → 1001 with risk class 3: known not to be a source; N → 1001 with risk class 4: a source.
    edited = _with_codes(plan, N="1001", N2="1001")
    findings = env_adjacency(edited)
    assert findings.cannot_judge.empty
    assert ("N", "S", 50.0) in _pairs(findings)
    # Without its risk class N2 is unknown, and S is 50 m away: cannot judge, naming S.
    parcels = edited.parcels.copy()
    parcels.loc[parcels["parcel_id"] == "N2", "env_risk_class"] = None
    cannot = env_adjacency(edited.with_layer("parcels", parcels)).cannot_judge
    assert cannot["feature_id"].tolist() == ["N2"] and "S" in cannot["message"].iloc[0]


def test_unknown_subclass_follows_the_source_codes_of_the_rules(plan):
    # With class-2 industry as a source as well, 1001 is still coarser than both; 100101 is not.
    edited = _with_codes(plan, A="1001")
    cannot = env_adjacency(edited, rules={"env_source_codes": ["100102", "100103"]}).cannot_judge
    assert cannot["feature_id"].tolist() == ["A"]
    assert env_adjacency(plan, rules={"env_source_codes": ["100102", "100103"]}).cannot_judge.empty


def test_phase_area_outside_zone_and_schedule(plan):
    findings = phase_findings(plan)
    v = findings.violations
    got = sorted(zip(v["rule"], v["layer"], v["feature_id"]))
    assert got == [("phase_area", "phases", "PH3"), ("phase_outside_zone", "phases", "PH3"), ("phase_schedule", "parcels", "B")]
    rows = v.set_index("rule")
    assert rows.loc["phase_area", "measured"] == pytest.approx(150.0)
    assert rows.loc["phase_area", "limit"] == 148.0
    assert rows.loc["phase_area", "area_mu"] == pytest.approx(2.0)
    assert rows.loc["phase_outside_zone", "area_m2"] == pytest.approx(2000.0)
    assert rows.loc["phase_outside_zone"].geometry.equals(box(-10, 500, 10, 200))
    assert (rows.loc["phase_schedule", "measured"], rows.loc["phase_schedule", "limit"], rows.loc["phase_schedule", "other_id"]) == (2024.0, 2023.0, "PH1")
    assert findings.cannot_judge.empty  # D has planned_year 2023 = the end year: on schedule


def test_phase_parcels_not_built_after_the_end_year(plan):
    v = phase_findings(plan, year=2024).violations
    schedule = v[v["rule"] == "phase_schedule"]
    # D was planned for 2023 and is recorded as only supplied: not built by 2024.
    assert sorted(schedule["feature_id"]) == ["B", "D"]
    assert "not built by 2024" in schedule.set_index("feature_id").loc["D", "message"]
    # Judged in the end year itself the phase is due; a year earlier only B's late build shows.
    assert sorted(phase_findings(plan, year=2023).violations.query("rule == 'phase_schedule'")["feature_id"]) == ["B", "D"]
    assert phase_findings(plan, year=2022).violations.query("rule == 'phase_schedule'")["feature_id"].tolist() == ["B"]


def test_parcel_of_a_phase_outside_the_zone_and_unknown_schedule(plan):
    parcels = plan.parcels.copy()
    parcels["phase_id"] = pd.Series([pd.NA] * len(parcels), dtype="string")
    parcels.loc[parcels["parcel_id"] == "G", ["phase_id", "planned_year"]] = ["PH3", pd.NA]
    parcels.loc[parcels["parcel_id"] == "G", "geometry"] = box(-20, 520, 100, 100)
    findings = phase_findings(plan.with_layer("parcels", parcels))
    g = findings.violations[(findings.violations["layer"] == "parcels") & (findings.violations["rule"] == "phase_outside_zone")]
    assert g["feature_id"].tolist() == ["G"]
    assert g["area_m2"].iloc[0] == pytest.approx(2000.0)
    assert findings.cannot_judge[["rule", "feature_id", "missing"]].values.tolist() == [["phase_schedule", "G", "planned_year"]]


def test_idle_land_through_the_no53_order(plan):
    findings = idle_findings(plan)
    v = findings.violations
    assert v["feature_id"].tolist() == ["I"]
    assert v["measured"].iloc[0] == pytest.approx(5.0, abs=0.01)  # 2020-01-01 → 2024-12-31
    assert "recovery without compensation" in v["message"].iloc[0]
    assert v["area_mu"].iloc[0] == pytest.approx(15.0)
    assert findings.settings["idle_as_of"] == "2024-12-31"
    assert idle_findings(plan, rules={"idle_as_of": "2020-06-30"}).violations.empty
