"""Floor area as a decision variable (``max_far``) on hand-built plans whose optimum is known by hand.

``I0``: 100 mu of built class-1 industrial land at plot ratio 1.0 (66 666.7 m² of floor area).
``G``: 20 mu of ready class-1 industrial land developed in 2030, no floor area yet. Target:
``industrial_far`` of ``D`` in 2030 ≥ 0.9. In 2030 A2 is 120 mu (80 000 m²) with 66 666.7 m² of
floor area — plot ratio 0.833. Two ways to meet it:

* densify: add 0.9 × 80 000 − 66 666.7 = 5 333.3 m² of floor area (8 mu of floor area);
* rezone: withdraw ``G`` to dry land (20 mu of land-use change), leaving A2 at ratio 1.0.

The model keeps half the analyses' tolerance (0.05 %) as its own, so the floor area needed is
``(0.9 − 0.5 × 0.0005 × 0.9) × 80 000 − 66 666.7``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.plans_solve import solve_plan
from zoneplan.analysis import target_status
from zoneplan.analysis._frame import parcel_frame
from zoneplan.errors import InputError
from zoneplan.solve import solve
from zoneplan.units import M2_PER_MU

NA = pd.NA
TARGET = [{"scope": "D", "metric": "industrial_far", "year": 2030, "op": ">=", "value": 0.9, "unit": "ratio"}]


def _plan():
    rows = [
        {"parcel_id": "I0", "landuse_code": "100101", "status": "built", "built_year": 2015, "supplied_year": 2014, "planned_year": NA, "x": 0, "mu": 100},
        {"parcel_id": "G", "landuse_code": "100101", "status": "ready", "built_year": NA, "supplied_year": NA, "planned_year": 2030, "x": 300, "mu": 20},
    ]
    plan = solve_plan(parcels=rows, targets=TARGET)
    parcels = plan.parcels.copy()
    area = parcel_frame(plan, None)["area_m2"].to_numpy()
    parcels["floor_area_m2"] = [area[0] * 1.0, float("nan")]  # I0 at plot ratio 1.0
    return plan.with_layer("parcels", parcels), area


def _needed_m2(area) -> float:
    return (0.9 - 0.5 * 0.0005 * 0.9) * (area[0] + area[1]) - area[0]


def test_raising_the_plot_ratio_of_one_parcel_is_cheaper_than_rezoning() -> None:
    plan, area = _plan()
    before = target_status(plan)
    assert not before["met"].iloc[0] and before["actual"].iloc[0] == pytest.approx(100 / 120, rel=1e-9)
    result = solve(plan, years=[2030], max_far=1.0, gap=0.0)  # I0 is at 1.0 already: only G can gain floor area
    assert result.status == "optimal" and result.changed_parcels == 0
    need = _needed_m2(area)
    assert need == pytest.approx(5333.33 - 18.0, abs=0.01)  # 18 m²: the model's half tolerance
    assert result.objective_value == pytest.approx(need / M2_PER_MU, abs=1e-6)  # ≈ 8 mu of floor area < 20 mu rezoned
    changes = result.changes.set_index("parcel_id")
    assert changes["change"].to_dict() == {"G": "floor_area"}
    assert changes.loc["G", "floor_added_m2"] == pytest.approx(need, abs=1e-3)
    assert result.added_floor_area_m2 == pytest.approx(need, abs=1e-3)
    # the edit sets G's floor area; it is in --json; applied, the target is met
    document = result.to_json()
    floor_edits = [e for e in document["edits"] if e.get("values", {}).get("floor_area_m2") is not None]
    assert len(floor_edits) == 1 and list(floor_edits[0]["ids"]) == ["G"]
    assert floor_edits[0]["values"]["floor_area_m2"] == pytest.approx(need, abs=1e-3)
    assert document["added_floor_area_m2"] == pytest.approx(need, abs=1e-3)
    edited = result.scenario.apply(plan)
    status = target_status(edited)
    assert status["met"].all() and status["actual"].iloc[0] == pytest.approx(0.9 * (1 - 0.5 * 0.0005), rel=1e-6)


def test_a_built_parcel_densifies_when_the_new_one_is_pinned() -> None:
    plan, area = _plan()
    result = solve(plan, years=[2030], max_far={"I0": 1.2}, pins=["G"], gap=0.0)
    assert result.status == "optimal"
    changes = result.changes.set_index("parcel_id")
    assert changes["change"].to_dict() == {"I0": "floor_area"}
    assert changes.loc["I0", "floor_area_m2"] == pytest.approx(area[0] + _needed_m2(area), abs=1e-3)
    assert target_status(result.scenario.apply(plan))["met"].all()


def test_the_plot_ratio_upper_bound_forces_a_rezone() -> None:
    plan, area = _plan()
    # at most plot ratio 0.3 on G: 4 000 m² < 5 333 m² — densifying cannot close the gap
    result = solve(plan, years=[2030], max_far=0.3, gap=0.0)
    assert result.status == "optimal"
    assert result.objective_value == pytest.approx(area[1] / M2_PER_MU, abs=1e-6)  # 20 mu withdrawn
    changes = result.changes.set_index("parcel_id")
    assert changes["change"].to_dict() == {"G": "withdraw"} and result.added_floor_area_m2 == 0.0
    edited = result.scenario.apply(plan)
    assert target_status(edited)["met"].all()


def test_a_maximum_below_the_minimum_plot_ratio_is_refused() -> None:
    plan, _ = _plan()
    rule = pd.DataFrame([{"scope": "Z", "metric": "parcel_min_far", "year": NA, "op": ">=", "value": 2.0, "unit": "ratio"}])
    plan = plan.with_table("targets", pd.concat([plan.targets, rule], ignore_index=True))
    with pytest.raises(InputError, match="below the parcel_min_far rule"):
        solve(plan, years=[2030], max_far=1.5)
    with pytest.raises(InputError, match="unknown parcel id"):
        solve(plan, years=[2030], max_far={"nope": 3.0})


def test_the_minimum_plot_ratio_binds_every_parcel_that_may_densify() -> None:
    # parcel_min_far 1.2 in Z: I0 must gain 0.2 × 100 mu of floor area (20 mu); G, if it builds,
    # must carry 1.2 × 20 mu (24 mu). Withdrawing G (20 mu of land-use change) is cheaper than
    # building it at plot ratio 1.2: 20 + 20 = 40 mu rather than 20 + 24 = 44 mu.
    plan, area = _plan()
    rule = pd.DataFrame([{"scope": "Z", "metric": "parcel_min_far", "year": NA, "op": ">=", "value": 1.2, "unit": "ratio"}])
    plan = plan.with_table("targets", pd.concat([plan.targets, rule], ignore_index=True))
    result = solve(plan, years=[2030], max_far=2.0, gap=0.0)
    assert result.status == "optimal"
    assert result.objective_value == pytest.approx(area[1] / M2_PER_MU + 0.2 * area[0] / M2_PER_MU, abs=1e-6)
    changes = result.changes.set_index("parcel_id")
    assert changes["change"].to_dict() == {"G": "withdraw", "I0": "floor_area"}
    assert changes.loc["I0", "floor_area_m2"] == pytest.approx(1.2 * area[0], rel=1e-9)
    edited = result.scenario.apply(plan)
    assert target_status(edited)["met"].all()


def test_a_new_parcel_that_must_build_is_built_at_the_minimum_plot_ratio() -> None:
    # as above, but G's base land is its own code: it cannot be withdrawn, so it builds at 1.2
    plan, area = _plan()
    rule = pd.DataFrame([{"scope": "Z", "metric": "parcel_min_far", "year": NA, "op": ">=", "value": 1.2, "unit": "ratio"}])
    parcels = plan.parcels.copy()
    parcels.loc[parcels["parcel_id"] == "G", "base_landuse_code"] = "100101"
    plan = plan.with_layer("parcels", parcels).with_table("targets", pd.concat([plan.targets, rule], ignore_index=True))
    result = solve(plan, years=[2030], max_far=2.0, gap=0.0)
    assert result.objective_value == pytest.approx(1.2 * area[1] / M2_PER_MU + 0.2 * area[0] / M2_PER_MU, abs=1e-6)
    changes = result.changes.set_index("parcel_id")
    assert changes["change"].to_dict() == {"G": "floor_area", "I0": "floor_area"}
    assert changes.loc["G", "floor_area_m2"] == pytest.approx(1.2 * area[1], rel=1e-9)
    assert target_status(result.scenario.apply(plan))["met"].all()
