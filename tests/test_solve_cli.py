"""``zoneplan solve`` on a GeoPackage: JSON contract, exit codes, --save, and the saved scenario checked."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import pandas as pd

from tests.plans_solve import solve_plan, strip
from zoneplan.analysis import target_status
from zoneplan.compliance import check
from zoneplan.plan import Plan
from zoneplan.scenario import scenarios_of
from zoneplan.units import MU_PER_KM2


def run(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zoneplan", *map(str, args)], capture_output=True, text=True, timeout=300)


def test_solve_json_save_and_the_saved_scenario_meets_its_targets(tmp_path) -> None:
    farmland = gpd.GeoDataFrame({"kind": ["basic_farmland"], "name": ["永久基本农田"]}, geometry=[strip(1200, 30).buffer(-1)], crs=4548)
    path = tmp_path / "plan.gpkg"
    solve_plan(control_lines=farmland).write(path)
    r = run("solve", path, "--year", 2030, "--save", "meet-2030", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)  # nothing but JSON on standard output
    assert doc["status"] == "optimal" and doc["saved"] == "meet-2030" and doc["area_basis"] == "planar"
    assert doc["changed_parcels"] == 1 and abs(doc["changed_area_mu"] - 35.0) < 1e-6
    assert {e["kind"] for e in doc["edits"]} >= {"landuse"} and doc["conflicts"] == []
    plan = Plan.read(path)
    edited = scenarios_of(plan)["meet-2030"].apply(plan)
    assert target_status(edited)["met"].all()
    assert check(edited, year=2030).violations.empty
    # the human form names the change and the area basis
    human = run("solve", path, "--year", 2030)
    assert human.returncode == 0 and "G2" in human.stdout and "planar" in human.stdout


def test_solve_exit_codes(tmp_path) -> None:
    na = pd.NA
    rows = [
        {"parcel_id": "I0", "landuse_code": "100101", "status": "built", "built_year": 2015, "supplied_year": 2014, "planned_year": na, "x": 0, "mu": 100},
        {"parcel_id": "G", "landuse_code": "1402", "status": "ready", "built_year": na, "supplied_year": na, "planned_year": 2030, "x": 300, "mu": 40},
    ]
    targets = [{"scope": "D", "metric": "industrial_area_km2", "year": 2030, "op": ">=", "value": 200 / MU_PER_KM2}]
    path = tmp_path / "short.gpkg"
    solve_plan(parcels=rows, targets=targets).write(path)
    r = run("solve", path, "--json", "--save", "x")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["status"] == "infeasible" and doc["saved"] is None
    (conflict,) = doc["conflicts"]
    assert conflict["metric"] == "industrial_area_km2" and abs(conflict["shortfall"] * MU_PER_KM2 - 60.0) < 1e-3
    assert "x" not in scenarios_of(Plan.read(path))
    bad = run("solve", path, "--objective", "cheapest")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "objective" in bad.stderr
    missing = run("solve", tmp_path / "nope.gpkg")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
