"""Comparison of scenarios whose differences are known by construction (plan in plans_scenario.py)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.plans_scenario import scenario_plan
from zoneplan.cli import main
from zoneplan.compare import compare, plot_timeline, supply_timeline
from zoneplan.plan import Plan
from zoneplan.scenario import AssignParcels, ChangeRules, ChangeStatus, ChangeTargets, Scenario, SupplyRate, save_scenario

MOVE_B = Scenario("b-to-3", [AssignParcels(parcels=["B"], phase_id="PH3")], description="parcel B (100 mu) moves from phase 2 to phase 3")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return scenario_plan()


@pytest.fixture(scope="module")
def by_phase(plan: Plan):
    return compare({"base": plan, MOVE_B.name: MOVE_B.apply(plan)}, by="phase", progress=False)


def _changed(table: pd.DataFrame) -> list[tuple]:
    moved = table[table["difference_mu"].abs() > 1e-9]
    return [(r.group_id, r.year, round(r.difference_mu, 9)) for r in moved.itertuples()]


def test_moving_a_100_mu_parcel_to_phase_3_moves_exactly_100_mu_a_year_later(plan: Plan, by_phase) -> None:
    # phase 2 starts 2022, phase 3 2023: B's supply moves from 2023 (phase 2) to 2024 (phase 3)
    assert _changed(by_phase.consumption_differences) == [("PH2", 2023, -100.0), ("PH3", 2024, 100.0)]
    zone = compare({"base": plan, MOVE_B.name: MOVE_B.apply(plan)}, by="zone", check=False, progress=False)
    assert _changed(zone.consumption_differences) == [("Z1", 2023, -100.0), ("Z1", 2024, 100.0)]
    totals = zone.consumption.groupby("scenario")["new_construction_mu"].sum()
    assert totals["base"] == pytest.approx(430.0) and totals["b-to-3"] == pytest.approx(430.0)
    cumulative = zone.consumption.set_index(["scenario", "year"])["cumulative_mu"]
    assert cumulative[("base", 2023)] == pytest.approx(280.0)
    assert cumulative[("b-to-3", 2024)] == pytest.approx(280.0)
    assert ("b-to-3", 2023) not in cumulative.index


def test_tidy_table_has_every_scenario_group_and_indicator(by_phase) -> None:
    tidy = by_phase.indicators
    assert list(tidy.columns) == ["scenario", "level", "group_id", "year", "indicator", "value"]
    assert set(tidy["scenario"]) == {"base", "b-to-3"} and set(tidy["group_id"]) == {"PH2", "PH3"}
    per = tidy.groupby(["scenario", "group_id"])["indicator"].nunique()
    assert per.nunique() == 1 and per.iloc[0] >= 10
    assert not tidy.duplicated(["scenario", "group_id", "year", "indicator"]).any()


def test_differences_from_the_base_are_exact(plan: Plan) -> None:
    # relocating the enterprise on A (60 mu, built) returns 60 mu to the remaining land
    relocate = Scenario("relocate-a", [ChangeStatus(parcels=["A"], status="ready", clear=["supplied_year", "built_year", "enterprise"])])
    result = compare({"base": plan, "relocate-a": relocate.apply(plan)}, check=False, progress=False)
    diff = result.differences.set_index(["scenario", "group_id", "indicator"])["difference"]
    assert diff[("relocate-a", "Z1", "remaining_area_mu")] == pytest.approx(60.0)
    assert diff[("base", "Z1", "remaining_area_mu")] == 0.0
    base = result.indicators.set_index(["scenario", "indicator"])["value"]
    assert base[("base", "remaining_area_mu")] == pytest.approx(2760.0)  # 3000 − 60·4 built/supplied/unbuildable


def test_tightened_plot_ratio_rule_finds_the_renovated_parcel(plan: Plan) -> None:
    tighter = Scenario("far-2.5", [ChangeTargets(rows=[{"scope": "Z1", "metric": "parcel_min_far", "op": ">=", "value": 2.5}])])
    # the same rule as a compliance-rule override instead of a target
    as_rule = Scenario("far-rule", [ChangeRules(rules={"parcel_min_far": 2.5})])
    result = compare({"base": plan, "far-2.5": tighter.apply(plan), "far-rule": as_rule.apply(plan)}, progress=False)
    counts = result.findings.set_index(["scenario", "rule"])["count"]
    assert counts[("base", "parcel_min_far")] == 0
    for name in ("far-2.5", "far-rule"):
        assert counts[(name, "parcel_min_far")] == 1
        hit = result.violations[(result.violations["scenario"] == name) & (result.violations["rule"] == "parcel_min_far")]
        # D: 60 000 m² floor area on 40 000 m² = FAR 1.5 (renovated); A is an existing enterprise
        assert list(hit["feature_id"]) == ["D"]
        assert hit["measured"].iloc[0] == pytest.approx(1.5) and hit["limit"].iloc[0] == 2.5
        assert hit["area_mu"].iloc[0] == pytest.approx(60.0)


def test_land_runs_out_in_the_hand_computed_year(plan: Plan) -> None:
    # 2760 mu suppliable after 2022; 80 mu/yr, but never less than what the plan schedules:
    # base 2023: 100 (B) → 2660, 2024: 80 → 2580, 2025: 150 (E) → 2430, then 80/yr:
    # 30 years to 2055 leave 30 mu, exhausted in 2056
    base = SupplyRate(annual_supply_mu=80).apply(plan)
    moved = MOVE_B.apply(base)
    timeline, exhaustion = supply_timeline(base, start_year=2022)
    remaining = timeline.set_index("year")["remaining_mu"]
    assert remaining[2018] == pytest.approx(2880.0) and remaining[2020] == pytest.approx(2820.0) and remaining[2022] == pytest.approx(2760.0)
    assert [remaining[y] for y in (2023, 2024, 2025, 2055, 2056)] == pytest.approx([2660.0, 2580.0, 2430.0, 30.0, 0.0])
    assert timeline["year"].max() == 2056  # the series stops at exhaustion
    kinds = timeline.set_index("year")["kind"]
    assert (kinds[2022], kinds[2023], kinds[2024], kinds[2025], kinds[2026]) == ("actual", "scheduled", "projected", "scheduled", "projected")
    row = exhaustion.iloc[0]
    assert (row["exhaustion_year"], row["years_left"], row["annual_supply_mu"]) == (2056, 34, 80.0)
    assert row["rate_source"] == "scenario supply rate (all groups)"
    # moving B: 2023 takes only the rate (80), 2024 takes B (100): same stock by 2024
    t2, e2 = supply_timeline(moved, start_year=2022, scenario="b-to-3")
    r2 = t2.set_index("year")["remaining_mu"]
    assert [r2[y] for y in (2023, 2024, 2025)] == pytest.approx([2680.0, 2580.0, 2430.0])
    assert e2["exhaustion_year"].iloc[0] == 2056
    # a zone-specific rate wins over '*'; no rate and no schedule never runs out
    _, e3 = supply_timeline(SupplyRate(annual_supply_mu=0, scope="Z1").apply(base), start_year=2026)
    assert pd.isna(e3["exhaustion_year"].iloc[0]) and e3["rate_source"].iloc[0] == "scenario supply rate"


def test_chart_draws_remaining_land_of_every_scenario(plan: Plan) -> None:
    base = SupplyRate(annual_supply_mu=80).apply(plan)
    t1, e1 = supply_timeline(base, start_year=2022)
    t2, e2 = supply_timeline(MOVE_B.apply(base), start_year=2022, scenario="b-to-3")
    fig = plot_timeline(pd.concat([t1, t2]), exhaustion=pd.concat([e1, e2]))
    (ax,) = fig.axes
    assert ax.get_title() == "Z1"
    remaining = [line for line in ax.get_lines() if line.get_label().endswith(": remaining")]
    assert [line.get_label() for line in remaining] == ["base: remaining", "b-to-3: remaining"]
    years, values = remaining[1].get_data()
    assert dict(zip(years, values))[2023] == pytest.approx(2680.0)
    markers = [line for line in ax.get_lines() if "runs out" in line.get_label()]
    assert [(m.get_label(), int(m.get_xdata()[0]), m.get_ydata()[0]) for m in markers] == [("base: runs out 2056", 2056, 0), ("b-to-3: runs out 2056", 2056, 0)]


def test_compare_command_json_equals_the_python_result(plan: Plan, tmp_path, capsys) -> None:
    path = tmp_path / "plan.gpkg"
    plan.write(path)
    save_scenario(path, MOVE_B)
    with pytest.raises(SystemExit) as done:
        main(["scenario", str(path), "compare", "b-to-3", "--by", "phase", "--json"])
    assert done.value.code == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # no progress bar in --json mode
    payload = json.loads(captured.out)
    assert payload["scenarios"] == ["base", "b-to-3"]
    moved = [(r["group_id"], r["year"], round(r["difference_mu"], 9)) for r in payload["consumption_differences"] if abs(r["difference_mu"]) > 1e-9]
    assert moved == [("PH2", 2023, -100.0), ("PH3", 2024, 100.0)]
    with pytest.raises(SystemExit) as done:
        main(["scenario", str(path), "compare", "nope"])
    assert done.value.code == 2
    assert "no scenario 'nope'" in capsys.readouterr().err
