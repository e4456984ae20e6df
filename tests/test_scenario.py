"""Scenario edits: what each edit does to the plan, serialisation, storage in the GeoPackage."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from tests.plans_scenario import X0, Y0, scenario_plan
from zoneplan.errors import InputError, PlanError
from zoneplan.plan import Plan
from zoneplan.progress import progress_enabled, quiet, track
from zoneplan.scenario import (
    AddParcels,
    AssignParcels,
    ChangeLanduse,
    ChangeQuotas,
    ChangeRules,
    ChangeStatus,
    ChangeTargets,
    PhaseSchedule,
    Scenario,
    SetAttributes,
    SupplyRate,
    apply_scenarios,
    read_edits_file,
    rules_of,
    save_scenario,
    scenarios_of,
    supply_rates_of,
    with_scenario,
    without_scenario,
)
from zoneplan.units import M2_PER_MU


@pytest.fixture
def plan() -> Plan:
    return scenario_plan()


def _row(plan: Plan, pid: str) -> pd.Series:
    parcels = plan.parcels
    return parcels[parcels["parcel_id"] == pid].iloc[0]


def _every_kind() -> Scenario:
    return Scenario(
        "everything",
        [
            AssignParcels(parcels=["B"], phase_id="PH3", note="B waits for phase 3"),
            PhaseSchedule(phase_id="PH3", shift_years=2),
            ChangeLanduse(where={"park_id": "PK-L"}, from_codes=["1101"], landuse_code="100101"),
            ChangeStatus(parcels=["A"], status="ready", clear=["supplied_year", "built_year", "enterprise"]),
            SetAttributes(layer="parks", ids=["PK-T"], values={"industry": "logistics"}),
            AddParcels(
                features=[
                    {
                        "geometry": shapely.box(X0 + 1700, Y0 + 600, X0 + 1900, Y0 + 800).wkt,
                        "parcel_id": "N1",
                        "landuse_code": "100101",
                        "status": "ready",
                        "planned_year": 2026,
                    }
                ]
            ),
            ChangeTargets(rows=[{"scope": "Z1", "metric": "parcel_min_far", "op": ">=", "value": 2.5}]),
            ChangeQuotas(rows=[{"zone_id": "Z1", "year": 2026, "new_construction_mu": 200.0}]),
            ChangeRules(rules={"ratio_rel_tolerance": 1e-9, "env_min_distance_m": 50.0}),
            SupplyRate(annual_supply_mu=50.0),
        ],
        description="one edit of every kind",
    )


def test_assign_to_later_phase_moves_future_years_by_phase_start_difference(plan: Plan) -> None:
    edited = Scenario("b-to-3", [AssignParcels(parcels=["B"], phase_id="PH3")]).apply(plan)
    b = _row(edited, "B")
    assert b["phase_id"] == "PH3"
    # PH2 starts 2022, PH3 2023: B keeps its place in the schedule, one year later
    assert (b["supplied_year"], b["planned_year"]) == (2024, 2024)
    # the base plan is never modified
    assert _row(plan, "B")["phase_id"] == "PH2" and _row(plan, "B")["supplied_year"] == 2023
    # nothing else moved
    pd.testing.assert_frame_equal(edited.parcels.drop(index=1).drop(columns="phase_id"), plan.parcels.drop(index=1).drop(columns="phase_id"))


def test_phase_slip_moves_only_future_years_of_its_parcels(plan: Plan) -> None:
    edited = Scenario("slip", [PhaseSchedule(phase_id="PH3", shift_years=2)]).apply(plan)
    ph3 = edited.phases.set_index("phase_id").loc["PH3"]
    assert (ph3["start_year"], ph3["end_year"]) == (2025, 2029)
    c, d, e, b = (_row(edited, p) for p in "CDEB")
    assert c["supplied_year"] == 2021  # supplied: history stays
    assert (d["supplied_year"], d["built_year"]) == (2020, 2021)  # built: history stays
    assert (e["supplied_year"], e["planned_year"]) == (2027, 2027)  # unready: plan moves
    assert b["supplied_year"] == 2023  # other phase untouched


def test_phase_schedule_by_end_year_moves_parcels_by_end_change(plan: Plan) -> None:
    edited = PhaseSchedule(phase_id="PH3", end_year=2030).apply(plan)
    ph3 = edited.phases.set_index("phase_id").loc["PH3"]
    assert (ph3["start_year"], ph3["end_year"]) == (2023, 2030)
    assert _row(edited, "E")["planned_year"] == 2028


def test_landuse_change_of_a_park_only_touches_matching_codes(plan: Plan) -> None:
    edited = ChangeLanduse(where={"park_id": "PK-T"}, from_codes=["1001"], landuse_code="1101").apply(plan)
    codes = edited.parcels.set_index("parcel_id")["landuse_code"]
    assert codes.to_dict() == {"A": "1101", "B": "1101", "C": "1101", "D": "100102", "E": "0701", "W": "1701"}


def test_where_resolves_groups_spatially_when_the_column_is_missing(plan: Plan) -> None:
    no_park = plan.with_layer("parcels", plan.parcels.drop(columns="park_id"))
    edited = ChangeLanduse(where={"park_id": "PK-L"}, landuse_code="0901").apply(no_park)
    assert sorted(edited.parcels.loc[edited.parcels["landuse_code"] == "0901", "parcel_id"]) == ["C", "D", "E"]


def test_relocation_frees_land(plan: Plan) -> None:
    edited = ChangeStatus(parcels=["A", "D"], status="ready", clear=["supplied_year", "built_year", "enterprise"]).apply(plan)
    freed = edited.parcels.set_index("parcel_id").loc[["A", "D"]]
    assert list(freed["status"]) == ["ready", "ready"]
    assert freed["supplied_year"].isna().all() and freed["built_year"].isna().all() and freed["enterprise"].isna().all()
    assert freed.geometry.area.sum() / M2_PER_MU == pytest.approx(120.0)


def test_targets_upsert_replaces_the_same_scope_metric_year(plan: Plan) -> None:
    edited = ChangeTargets(rows=[{"scope": "Z1", "metric": "parcel_min_far", "op": ">=", "value": 2.5}]).apply(plan)
    far = edited.targets[edited.targets["metric"] == "parcel_min_far"]
    assert len(far) == 1 and far["value"].iloc[0] == 2.5
    assert len(edited.targets) == 2
    with pytest.raises(PlanError, match="need"):
        ChangeTargets(rows=[{"scope": "Z1", "metric": "x"}]).apply(plan)


def test_rules_and_supply_rate_are_plan_data(plan: Plan) -> None:
    # nested settings merge key by key (rules check accepts: see test_right_or_refused for the rest)
    edited = ChangeRules(rules={"parcel_min_far": {"value": 2.5}}).apply(
        ChangeRules(rules={"parcel_min_far": {"value": 2.0, "op": ">="}, "quota_tolerance_mu": 3.0}).apply(plan)
    )
    assert rules_of(edited) == {"parcel_min_far": {"value": 2.5, "op": ">="}, "quota_tolerance_mu": 3.0}
    with pytest.raises(PlanError, match="unknown rule setting 'a'"):
        ChangeRules(rules={"a": {"b": 1}}).apply(plan)
    assert rules_of(plan) == {}
    rates = supply_rates_of(SupplyRate(annual_supply_mu=30, scope="Z1").apply(SupplyRate(annual_supply_mu=50).apply(plan)))
    assert rates.to_dict() == {"*": 50.0, "Z1": 30.0}


def test_add_project_from_lonlat_geojson(plan: Plan) -> None:
    # a 200 m × 200 m square drawn in the plan CRS, handed over as lon-lat GeoJSON
    square = gpd.GeoSeries([shapely.box(X0 + 1700, Y0 + 600, X0 + 1900, Y0 + 800)], crs=4548).to_crs(4326)
    feature = {"type": "Feature", "geometry": json.loads(square.to_json())["features"][0]["geometry"]}
    edited = AddParcels(features=[{"geometry": feature, "parcel_id": "N1", "landuse_code": "100101", "status": "ready"}], crs="EPSG:4326").apply(plan)
    assert len(edited.parcels) == len(plan.parcels) + 1
    added = edited.parcels[edited.parcels["parcel_id"] == "N1"]
    assert added.area.iloc[0] / M2_PER_MU == pytest.approx(60.0, rel=1e-6)


def test_edit_that_breaks_validation_fails_with_the_validation_message(plan: Plan) -> None:
    overlapping = AddParcels(features=[{"geometry": shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100).wkt, "parcel_id": "X", "landuse_code": "100101"}])
    with pytest.raises(PlanError) as err:
        Scenario("clash", [SupplyRate(annual_supply_mu=1), overlapping]).apply(plan)
    text = str(err.value)
    assert "scenario 'clash', edit 2 (add_parcels) makes the plan invalid" in text
    assert "overlaps X by 15.00 mu" in text and "rule overlap" in text
    bad_code = ChangeLanduse(parcels=["A"], landuse_code="9999")
    with pytest.raises(PlanError, match="unknown_landuse_code"):
        Scenario("bad-code", [bad_code]).apply(plan)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (AssignParcels(parcels=["NOPE"], phase_id="PH3"), "unknown parcels id"),
        (AssignParcels(parcels=["A"], phase_id="PH9"), "names no feature"),
        (ChangeStatus(where={"park_id": "PK-X"}, status="ready"), "no parcels match"),
        (PhaseSchedule(phase_id="PH3"), "give shift_years"),
        (AddParcels(features=[{"geometry": "POLYGON((0 0, 1 0, 1 1, 0 0))", "parcel_id": "A", "landuse_code": "0701"}]), "already exist"),
    ],
)
def test_edits_that_cannot_apply_say_why(plan: Plan, edit, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        Scenario("s", [edit]).apply(plan)


def test_every_kind_round_trips_through_toml_and_json(tmp_path) -> None:
    scenario = _every_kind()
    assert Scenario.from_toml(scenario.to_toml()) == scenario
    assert Scenario.from_json(scenario.to_json()) == scenario
    (tmp_path / "edits.toml").write_text(scenario.to_toml(), encoding="utf-8")
    assert read_edits_file(tmp_path / "edits.toml", name="renamed").edits == scenario.edits
    (tmp_path / "edits.json").write_text(json.dumps([e.to_dict() for e in scenario.edits]), encoding="utf-8")
    assert read_edits_file(tmp_path / "edits.json", name="x").edits == scenario.edits
    (tmp_path / "bad.json").write_text('[{"kind": "teleport"}]', encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown edit kind 'teleport'.*file .*bad.json"):
        read_edits_file(tmp_path / "bad.json", name="x")
    with pytest.raises(InputError, match="no field"):
        Scenario.from_dict({"name": "x", "edits": [{"kind": "assign", "parcel": ["A"]}]})


def test_scenario_round_trips_through_the_geopackage_with_identical_results(plan: Plan, tmp_path) -> None:
    path = tmp_path / "plan.gpkg"
    plan.write(path)
    scenario = _every_kind()
    save_scenario(path, scenario)
    save_scenario(path, Scenario("slip", [PhaseSchedule(phase_id="PH3", shift_years=2)], description="三期推迟两年"))
    with pytest.raises(PlanError, match="already exists"):
        save_scenario(path, Scenario("slip", [SupplyRate(annual_supply_mu=1)]))
    stored_plan = Plan.read(path)
    stored = scenarios_of(stored_plan)
    assert list(stored) == ["everything", "slip"]
    assert stored["everything"] == scenario
    assert stored["slip"].description == "三期推迟两年"
    in_memory = scenario.apply(plan)
    from_file = stored["everything"].apply(stored_plan)
    for name in ("parcels", "phases", "parks"):
        left, right = in_memory[name].reset_index(drop=True), from_file[name].reset_index(drop=True)
        pd.testing.assert_frame_equal(left.drop(columns="geometry"), right[left.drop(columns="geometry").columns], check_dtype=False)
        assert left.geometry.geom_equals_exact(right.geometry, tolerance=1e-6).all()
    for name in ("targets", "quotas", "supply_rates"):
        pd.testing.assert_frame_equal(in_memory.table(name).reset_index(drop=True), from_file.table(name).reset_index(drop=True), check_dtype=False)
    assert rules_of(from_file) == rules_of(in_memory)
    # and the analysis of both is identical, number for number
    from zoneplan.compare import compare

    results = [compare({"base": plan, "everything": p}, years=[None, 2025], progress=False) for p in (in_memory, from_file)]
    for name in ("indicators", "targets", "findings", "consumption", "timeline", "exhaustion"):
        left, right = (getattr(r, name).query("scenario == 'everything'").reset_index(drop=True) for r in results)
        pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-12, atol=1e-9)
    plans = apply_scenarios(stored_plan, ["slip"], progress=False)
    assert list(plans) == ["base", "slip"] and plans["base"] is stored_plan
    assert list(scenarios_of(without_scenario(stored_plan, "slip"))) == ["everything"]


def test_storing_checks_the_scenario_applies(plan: Plan) -> None:
    with pytest.raises(PlanError, match="unknown parcels id"):
        with_scenario(plan, Scenario("typo", [ChangeStatus(parcels=["Q"], status="ready")]))
    with pytest.raises(InputError, match=r"reserved|unedited"):
        Scenario("base", [])


def test_progress_is_silent_without_a_terminal_and_in_json_mode(monkeypatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("ZONEPLAN_PROGRESS", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert progress_enabled(stream=Tty()) is True
    assert progress_enabled(stream=io.StringIO()) is False  # a pipe or log file
    assert progress_enabled(enabled=False, stream=Tty()) is False  # --json
    with quiet():
        assert progress_enabled(stream=Tty()) is False
    monkeypatch.setenv("CI", "true")
    assert progress_enabled(stream=Tty()) is False
    monkeypatch.delenv("CI")
    out = Tty()
    assert list(track(range(3), description="zählen", stream=out)) == [0, 1, 2]
    assert "zählen" in out.getvalue()  # drawn on the terminal stream
    silent = io.StringIO()
    assert list(track(range(3), description="zählen", stream=silent)) == [0, 1, 2]
    assert silent.getvalue() == ""
