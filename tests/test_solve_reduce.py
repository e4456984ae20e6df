"""The exact reductions of the goal-seeking model (zoneplan.solve.reduce) on hand-built plans.

Six green parcels of exactly 10 mu each (``G0``–``G5``, protective green 1402, ready, planned
for 2030, may become class-1 industrial 100101) next to 100 mu of built industrial land: an
industrial target of 125 mu in 2030 needs three of them (30 mu — the LP relaxation's 25 mu is
not a whole number of parcels). ``G5`` lies on permanent basic farmland, so only ``G0``–``G4``
are interchangeable, and ``G5`` must go back to dry land (10 mu of change of its own).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from tests.conftest import box
from tests.plans_solve import solve_plan, strip
from zoneplan.analysis import target_status
from zoneplan.compliance import check
from zoneplan.solve import build_model, solve
from zoneplan.solve.reduce import aggregate, components
from zoneplan.solve.solver import _STAGES, criteria, run_milp
from zoneplan.units import MU_PER_KM2

NA = pd.NA


def _green(i: int, *, y: float = 0.0, zone: str = "Z") -> dict:
    return {
        "parcel_id": f"{zone}G{i}",
        "landuse_code": "1402",
        "status": "ready",
        "built_year": NA,
        "supplied_year": NA,
        "planned_year": 2030,
        "x": 300 + 40 * i,
        "y": y,
        "mu": 10,
    }


def _industrial(zone: str = "Z", y: float = 0.0) -> dict:
    return {
        "parcel_id": f"{zone}I0",
        "landuse_code": "100101",
        "status": "built",
        "built_year": 2015,
        "supplied_year": 2014,
        "planned_year": NA,
        "x": 0,
        "y": y,
        "mu": 100,
    }


def _plan(control_lines: gpd.GeoDataFrame | None = None):
    target = [{"scope": "D", "metric": "industrial_area_km2", "year": 2030, "op": ">=", "value": 125 / MU_PER_KM2, "unit": "km2"}]
    return solve_plan(parcels=[_industrial(), *[_green(i) for i in range(6)]], targets=target, control_lines=control_lines)


def _farmland_on_g5() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"kind": ["basic_farmland"], "name": ["永久基本农田"]}, geometry=[strip(300 + 40 * 5, 10).buffer(-1)], crs=4548)


def _unreduced_optimum(model) -> float:
    """The first stage's optimum of the model as built, without any reduction."""
    c = criteria(model)["area"]
    res = run_milp(c, model, gap=0.0)
    return float(c @ np.rint(res.x))


def test_interchangeable_parcels_merge_into_one_class_and_the_optimum_is_the_same() -> None:
    plan = _plan(control_lines=_farmland_on_g5())
    model = build_model(plan, years=[2030])
    cost = criteria(model)
    reduced = aggregate(model, [cost[k] for k in _STAGES["least-area"][0] + _STAGES["least-area"][1]])
    # G0–G4 are one class of five; G5 (its construction options forbidden) stays on its own
    assert reduced.classes.tolist() == [5] and reduced.merged_parcels == 4
    assert reduced.A.shape[1] == model.n_options - 4 * (model.options["parcel_id"] == "ZG0").sum()
    assert reduced.upper.max() == 5.0
    result = solve(plan, years=[2030], gap=0.0)
    assert result.status == "optimal" and result.size["merged_parcels"] == 4
    assert result.objective_value == pytest.approx(30.0 + 10.0, abs=1e-6)
    assert result.objective_value == pytest.approx(_unreduced_optimum(model), abs=1e-6)
    # the class's members, in plan order, take the conversions; G5 is withdrawn
    changed = result.changes.set_index("parcel_id")
    assert changed["change"].to_dict() == {"ZG0": "landuse", "ZG1": "landuse", "ZG2": "landuse", "ZG5": "withdraw"}
    assert changed["to_code"].to_dict() == {"ZG0": "100101", "ZG1": "100101", "ZG2": "100101", "ZG5": "0103"}
    # disaggregated back to parcels, the edits are a valid scenario that meets the target
    edited = result.scenario.apply(plan)
    status = target_status(edited)
    assert status["met"].all() and status["actual"].iloc[0] * MU_PER_KM2 == pytest.approx(130.0, abs=1e-6)
    assert check(edited, year=2030).violations.empty


def test_expand_gives_every_merged_parcel_exactly_one_option() -> None:
    model = build_model(_plan(), years=[2030])
    reduced = aggregate(model, [criteria(model)["area"]])
    assert reduced.classes.tolist() == [6]
    # a hand-made reduced answer: of the class of six, four keep their use and two convert; the
    # options go in option order (``change`` before ``keep``) to the members in plan order
    opts = model.options.iloc[reduced.columns].reset_index(drop=True)
    y = np.zeros(len(opts))
    keep = np.flatnonzero((opts["parcel_id"] == "ZG0") & (opts["kind"] == "keep") & (opts["year"] == 2030))[0]
    convert = np.flatnonzero((opts["parcel_id"] == "ZG0") & (opts["kind"] == "change") & (opts["year"] == 2030))[0]
    y[[keep, convert]] = [4, 2]
    x, floor = reduced.expand(y)
    assert len(floor) == 0  # no max_far: no floor-area columns
    chosen = model.options[x & model.options["parcel_id"].str.startswith("ZG").to_numpy()]
    assert chosen["parcel_id"].tolist() == [f"ZG{i}" for i in range(6)]
    assert chosen["kind"].tolist() == ["change", "change", "keep", "keep", "keep", "keep"]


def _two_zones(north_mu: float):
    """Zone Z (district D, industrial ≥ 115 mu) and zone Z2 north of it (district D2, industrial
    ≥ ``north_mu``), each 100 mu of built industrial land and four 10-mu green parcels; the two
    share no row."""
    rows = [_industrial(), *[_green(i) for i in range(4)], _industrial("Y", 1000), *[_green(i, y=1000, zone="Y") for i in range(4)]]
    base = solve_plan(parcels=rows)
    parcels = base.parcels.copy()
    north = parcels["parcel_id"].str.startswith("Y").to_numpy()
    parcels.loc[north, "zone_id"] = "Z2"
    parcels.loc[north, "district_id"] = "D2"
    parcels.loc[north, "planned_year"] = 2029  # Z2's parcels differ from Z's (no class across zones)
    zones = gpd.GeoDataFrame({"zone_id": ["Z", "Z2"], "name": ["南区", "北区"]}, geometry=[box(0, 0, 3000, 1000), box(0, 1000, 3000, 1000)], crs=4548)
    districts = gpd.GeoDataFrame({"district_id": ["D", "D2"], "zone_id": ["Z", "Z2"], "name": ["南", "北"]}, geometry=list(zones.geometry), crs=4548)
    targets = pd.DataFrame(
        [
            {"scope": "D", "metric": "industrial_area_km2", "year": 2030, "op": ">=", "value": 115 / MU_PER_KM2, "unit": "km2"},
            {"scope": "D2", "metric": "industrial_area_km2", "year": 2030, "op": ">=", "value": north_mu / MU_PER_KM2, "unit": "km2"},
        ]
    )
    return base.with_layer("parcels", parcels).with_layer("zones", zones).with_layer("districts", districts).with_table("targets", targets)


def test_independent_zones_are_solved_as_blocks_with_the_same_optimum() -> None:
    plan = _two_zones(125)
    model = build_model(plan, years=[2030])
    n_blocks, _, col_block = components(model.A)
    assert n_blocks == 2 and len(set(col_block)) == 2
    result = solve(plan, years=[2030], gap=0.0)
    assert result.size["blocks"] == 2 and result.size["merged_parcels"] == 6
    assert result.objective_value == pytest.approx(20.0 + 30.0, abs=1e-6)
    assert result.objective_value == pytest.approx(_unreduced_optimum(model), abs=1e-6)
    edited = result.scenario.apply(plan)
    assert target_status(edited)["met"].all()


def test_an_infeasible_block_is_diagnosed_on_its_own_and_the_other_is_still_solved() -> None:
    # Z2 can reach 140 mu of industrial land at most: 200 mu is 60 mu short (less the model's half
    # tolerance, 0.5 × 0.0005 × 200 mu); Z's target is met by converting two of its greens
    result = solve(_two_zones(200), years=[2030])
    assert result.status == "infeasible"
    relaxed = result.conflicts[result.conflicts["role"] == "relaxed"]
    assert relaxed["scope"].tolist() == ["D2"]
    assert relaxed["relaxation_mu"].iloc[0] == pytest.approx(60.0 - 0.5 * 0.0005 * 200, abs=1e-3)
    assert set(result.conflicts["scope"]) == {"D2"}  # nothing of zone Z competes
    changed = result.changes[result.changes["change"] == "landuse"]["parcel_id"]
    assert sorted(changed[changed.str.startswith("Y")]) == ["YG0", "YG1", "YG2", "YG3"]
    assert changed.str.startswith("ZG").sum() == 2  # any two of Z's four identical greens
