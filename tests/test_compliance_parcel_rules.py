"""Per-parcel controls of industrial land and the rule configuration that switches them on."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from tests.plans_compliance import X0, Y0, box, compliance_plan
from zoneplan.compliance import parcel_rule_violations, resolve_rules
from zoneplan.compliance.parcel_rules import parcel_measures
from zoneplan.compliance.rules import load_rules_file
from zoneplan.errors import InputError
from zoneplan.plan import Plan


@pytest.fixture(scope="module")
def plan():
    return compliance_plan()


def _plan(parcels: list[dict], targets: list[dict] | None = None, **layers) -> Plan:
    gdf = gpd.GeoDataFrame(pd.DataFrame(parcels).drop(columns="geometry"), geometry=[p["geometry"] for p in parcels], crs=4548)
    tables = {"targets": pd.DataFrame(targets)} if targets else {}
    return Plan({"parcels": gdf, **layers}, tables)


def test_far_199_violates_and_20_complies_with_no_false_positives(plan):
    findings = parcel_rule_violations(plan)
    v = findings.violations
    assert v["feature_id"].tolist() == ["B"]
    assert v["measured"].iloc[0] == pytest.approx(1.99)
    assert v["limit"].iloc[0] == 2.0
    assert v["area_m2"].iloc[0] == pytest.approx(40_000.0)
    assert v.geometry.iloc[0].equals(box(300, 0, 200, 200))
    # D and I are new projects without a floor area: never compliant, cannot judge.
    cj = findings.cannot_judge
    assert sorted(cj["feature_id"]) == ["D", "I"]
    assert set(cj["missing"]) == {"floor_area_m2"}
    # M and N2 are existing enterprises, N has FAR 2.5, non-industrial parcels are not judged.
    assert findings.checked == ("parcel_min_far",)


@pytest.mark.parametrize(("factor", "violates"), [(2.0, False), (1.99, True), (2.0 * (1 - 1e-6), True)])
def test_far_at_the_limit_on_an_irregular_parcel(factor, violates):
    # Parcel area is not a round number: floor area built as area × 2 must read as FAR 2.0.
    tri = shapely.Polygon([(X0, Y0), (X0 + 173.2, Y0 + 11.7), (X0 + 61.3, Y0 + 149.9)])
    floor = tri.area * factor
    p = _plan(
        [{"parcel_id": "T", "landuse_code": "100101", "status": "built", "floor_area_m2": floor, "geometry": tri}],
        [{"scope": "*", "metric": "parcel_min_far", "op": ">=", "value": 2.0}],
    )
    v = parcel_rule_violations(p).violations
    assert (len(v) == 1) is violates


def test_parcel_measures_exact():
    p = gpd.GeoDataFrame(
        {"floor_area_m2": [20_000.0], "investment_yuan": [2.8e6 * 15], "footprint_m2": [3000.0], "office_area_m2": [700.0], "green_area_m2": [2000.0]},
        geometry=[box(0, 0, 100, 100)],
        crs=4548,
    )
    m = parcel_measures(p).iloc[0]
    assert m["far"] == 2.0
    assert m["investment_intensity_wan_per_mu"] == pytest.approx(280.0)  # 4200 万元 on 15 mu
    assert m["building_coefficient"] == pytest.approx(0.30)
    assert m["office_share"] == pytest.approx(0.07)
    assert m["green_ratio"] == pytest.approx(0.20)


def test_national_values_switched_on_by_true_and_limits_are_inclusive():
    parcels = [
        {
            "parcel_id": "ok",
            "landuse_code": "100101",
            "status": "built",
            "footprint_m2": 3000.0,
            "office_area_m2": 700.0,
            "green_area_m2": 2000.0,
            "geometry": box(0, 0, 100, 100),
        },
        {
            "parcel_id": "bad",
            "landuse_code": "100102",
            "status": "built",
            "footprint_m2": 2999.0,
            "office_area_m2": 701.0,
            "green_area_m2": 2001.0,
            "geometry": box(200, 0, 100, 100),
        },
        {
            "parcel_id": "shop",
            "landuse_code": "0901",
            "status": "built",
            "footprint_m2": 100.0,
            "office_area_m2": 9000.0,
            "green_area_m2": 0.0,
            "geometry": box(400, 0, 100, 100),
        },
    ]
    rules = {"parcel_min_building_coefficient": True, "parcel_max_office_share": True, "parcel_max_green_ratio": True}
    v = parcel_rule_violations(_plan(parcels), rules=rules).violations
    assert sorted(zip(v["rule"], v["feature_id"])) == [
        ("parcel_max_green_ratio", "bad"),
        ("parcel_max_office_share", "bad"),
        ("parcel_min_building_coefficient", "bad"),
    ]
    assert dict(zip(v["rule"], v["limit"])) == {"parcel_min_building_coefficient": 0.30, "parcel_max_office_share": 0.07, "parcel_max_green_ratio": 0.20}


def test_investment_intensity_rule_in_force_from_its_year():
    # 10 000 m² = 15 mu; 3900 万元 → 260 万元/亩 < 280.
    parcels = [{"parcel_id": "L1", "landuse_code": "100101", "status": "built", "built_year": 2020, "investment_yuan": 3.9e7, "geometry": box(0, 0, 100, 100)}]
    targets = [
        {"scope": "LQ", "metric": "parcel_min_investment_intensity_wan_per_mu", "year": 2025, "op": ">=", "value": 280.0, "source": "临政办字〔2022〕22号"}
    ]
    zones = gpd.GeoDataFrame({"zone_id": ["LQ"]}, geometry=[box(-10, -10, 500, 500)], crs=4548)
    p = _plan(parcels, targets, zones=zones)
    assert parcel_rule_violations(p, year=2024).not_checked  # not yet in force
    v = parcel_rule_violations(p, year=2025).violations
    assert v["feature_id"].tolist() == ["L1"]
    assert v["measured"].iloc[0] == pytest.approx(260.0)
    assert "临政办字〔2022〕22号 in LQ from 2025" in v["message"].iloc[0]
    assert len(parcel_rule_violations(p).violations) == 1  # as planned: every rule


def test_most_specific_scope_wins(plan):
    # A phase-level FAR ≥ 1.5 for PH1 overrides the zone's 2.0 for B (1.99).
    rules = {"parcel_min_far": [{"value": 2.0, "scope": "Z1"}, {"value": 1.5, "scope": "PH1"}]}
    findings = parcel_rule_violations(plan, rules=rules)
    assert findings.violations.empty
    assert sorted(findings.cannot_judge["feature_id"]) == ["D", "I"]


def test_without_project_types_built_and_supplied_industry_is_judged():
    parcels = [
        {"parcel_id": "b", "landuse_code": "100101", "status": "built", "floor_area_m2": 5000.0, "geometry": box(0, 0, 100, 100)},
        {"parcel_id": "s", "landuse_code": "100101", "status": "supplied", "geometry": box(200, 0, 100, 100)},
        {"parcel_id": "r", "landuse_code": "100101", "status": "ready", "geometry": box(400, 0, 100, 100)},
    ]
    findings = parcel_rule_violations(_plan(parcels), rules={"parcel_min_far": 1.0})
    assert findings.violations["feature_id"].tolist() == ["b"]
    assert findings.cannot_judge["feature_id"].tolist() == ["s"]
    assert findings.cannot_judge["missing"].tolist() == ["floor_area_m2"]


def test_missing_input_column_is_cannot_judge_not_compliant():
    parcels = [{"parcel_id": "x", "landuse_code": "100101", "status": "built", "geometry": box(0, 0, 100, 100)}]
    findings = parcel_rule_violations(_plan(parcels), rules={"parcel_max_green_ratio": 0.2})
    assert findings.violations.empty
    assert findings.cannot_judge[["feature_id", "missing"]].values.tolist() == [["x", "green_area_m2 (no such column)"]]
    assert not findings.compliant


def test_rules_off_by_default_and_reported(plan):
    bare = plan.with_table("targets", plan.targets.iloc[0:0])
    assert parcel_rule_violations(bare).not_checked == {"parcel_rules": "no per-parcel rule is switched on (targets parcel_* or rules)"}
    assert parcel_rule_violations(plan, rules={"parcel_min_far": False}).not_checked


@pytest.mark.parametrize(
    ("rules", "words"),
    [
        ({"parcel_min_far": True}, "no national value"),
        ({"parcel_min_far": {"value": 2.0, "op": "<="}}, "needs op '>='"),
        ({"parcel_min_far": {"value": 2.0, "scope": "nowhere"}}, "scope 'nowhere'"),
        ({"overlap_tolerence_m2": 1.0}, "unknown rule setting 'overlap_tolerence_m2'"),
        ({"overlap_tolerance_m2": "one"}, "must be a number"),
        ({"idle_as_of": "31/12/2025"}, "YYYY-MM-DD"),
    ],
)
def test_bad_rules_are_input_errors_naming_the_rule(plan, rules, words):
    with pytest.raises(InputError, match=words.replace("(", r"\(")):
        parcel_rule_violations(plan, rules=rules)


def test_rules_file_toml_and_json(tmp_path, plan):
    toml = tmp_path / "rules.toml"
    toml.write_text('overlap_tolerance_m2 = 0.5\nparcel_min_far = [{value = 1.5, scope = "Z1"}]\nidle_as_of = "2025-12-31"\n', encoding="utf-8")
    rules = resolve_rules(plan, load_rules_file(toml))
    assert rules.overlap_tolerance_m2 == 0.5
    assert [(r.metric, r.value, r.scope) for r in rules.parcel] == [("parcel_min_far", 1.5, "Z1")]  # replaces the target's 2.0
    assert rules.idle_as_of.isoformat() == "2025-12-31"
    assert rules.provenance["parcel_min_far"] == str(toml)
    js = tmp_path / "rules.json"
    js.write_text('{"env_min_distance_m": 30}', encoding="utf-8")
    assert resolve_rules(plan, load_rules_file(js)).env_min_distance_m == 30.0
    bad = tmp_path / "bad.toml"
    bad.write_text("parcel_min_far = = 2", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read rules"):
        load_rules_file(bad)
