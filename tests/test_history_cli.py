"""``zoneplan history`` and ``zoneplan diff``: the change record of a shared plan and the 维护前/维护后 comparison."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from psycopg import sql

from tests.conftest import box
from zoneplan.cli import main
from zoneplan.io import postgis
from zoneplan.plan import Plan
from zoneplan.plandiff import diff_plans

pytest_plugins = ["tests.postgis_server"]

MU = 10_000 / 15


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return int(exc.value.code), out.out, out.err


def maintained(plan: Plan) -> Plan:
    """The tiny plan after maintenance: P2 re-zoned, P3 enlarged to 300 m × 200 m, P4 removed, P5 added."""
    parcels = plan.parcels.copy()
    parcels.loc[1, "landuse_code"] = "0901"
    parcels.loc[2, "geometry"] = box(0, 300, 300, 200)
    parcels = parcels.drop(index=3)
    new = parcels.iloc[[0]].assign(parcel_id="P5", landuse_code="1101", enterprise=None)
    new["geometry"] = [box(600, 600, 100, 100)]
    return plan.with_layer("parcels", pd.concat([parcels, new], ignore_index=True))


def test_diff_of_two_geopackages_lists_changes_with_areas_in_mu(tmp_path: Path, tiny_plan: Plan, capsys) -> None:
    before, after = tmp_path / "维护前.gpkg", tmp_path / "维护后.gpkg"
    tiny_plan.write(before)
    maintained(tiny_plan).write(after)
    code, out, _ = run(["diff", str(before), str(after), "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    assert result["area_basis"] == "planar"
    rows = {(f["feature_id"], f["change"]): f for f in result["features"]}
    assert set(rows) == {("P5", "added"), ("P4", "removed"), ("P2", "changed"), ("P3", "changed")}
    assert rows[("P2", "changed")]["columns"] == ["landuse_code"] and not rows[("P2", "changed")]["geometry_changed"]
    assert rows[("P3", "changed")]["columns"] == [] and rows[("P3", "changed")]["geometry_changed"]
    assert rows[("P3", "changed")]["area_change_mu"] == pytest.approx(20_000 / MU)  # +30 mu
    assert rows[("P4", "removed")]["area_before_mu"] == pytest.approx(60.0)
    assert rows[("P5", "added")]["area_after_mu"] == pytest.approx(15.0)
    layers = {r["layer"]: r for r in result["layers"]}
    assert layers["parcels"]["area_change_mu"] == pytest.approx(30 - 60 + 15)
    assert (layers["zones"]["changed"], layers["zones"]["unchanged"]) == (0, 1)
    code, out, _ = run(["diff", str(before), str(after)], capsys)
    assert code == 0 and "\narea basis: planar\n" in out and "P5" in out and "added" in out


def test_diff_of_a_plan_with_itself_is_empty(tmp_path: Path, tiny_plan: Plan) -> None:
    path = tmp_path / "p.gpkg"
    tiny_plan.write(path)
    assert diff_plans(Plan.read(path), tiny_plan).empty


@pytest.mark.postgis
def test_history_and_diff_between_revisions_of_a_postgis_plan(plan_uri: str, tiny_plan: Plan, capsys) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    layer = postgis.read_layer(plan_uri, "parcels", versions=True)
    postgis.update_features(plan_uri, "parcels", layer.loc[[1], ["parcel_id", "zp_version", "landuse_code"]].assign(landuse_code="0901"))
    loc = postgis.parse_uri(plan_uri)
    with psycopg.connect(loc.conninfo) as con:  # another client deletes P4
        con.execute("SET application_name = 'psql'")
        con.execute(sql.SQL("DELETE FROM {} WHERE parcel_id = 'P4'").format(sql.Identifier(loc.plan, "parcels")))
    code, out, _ = run(["history", plan_uri, "--layer", "parcels", "--json"], capsys)
    assert code == 0
    changes = json.loads(out)["changes"]
    assert [(c["revision"], c["op"], c["feature_id"]) for c in changes] == [(1, "INSERT", f"P{i}") for i in range(1, 5)] + [
        (2, "UPDATE", "P2"),
        (3, "DELETE", "P4"),
    ]
    assert changes[4]["changes"] == {"landuse_code": ["100102", "0901"]} and changes[4]["changed_by"] == "postgres"
    assert changes[5]["client"] == "psql" and changes[5]["area_change_mu"] == pytest.approx(-60.0)
    code, out, _ = run(["history", plan_uri, "--feature", "P2"], capsys)
    assert code == 0 and "landuse_code: 100102 → 0901" in out and "postgres" in out
    code, out, _ = run(["diff", f"{plan_uri}@1", plan_uri, "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    assert sorted((f["feature_id"], f["change"]) for f in result["features"]) == [("P2", "changed"), ("P4", "removed")]
    code, out, _ = run(["diff", f"{plan_uri}@2", f"{plan_uri}@3", "--json"], capsys)
    assert [(f["feature_id"], f["change"]) for f in json.loads(out)["features"]] == [("P4", "removed")]


@pytest.mark.postgis
def test_bad_history_requests_are_one_line_refusals(plan_uri: str, tiny_plan: Plan, tmp_path: Path, capsys) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    code, _, err = run(["diff", f"{plan_uri}@7", plan_uri], capsys)
    assert code == 2 and "has no revision 7" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(["diff", f"{plan_uri}@x", plan_uri], capsys)
    assert code == 2 and "is not a number" in err
    path = tmp_path / "p.gpkg"
    tiny_plan.write(path)
    code, _, err = run(["history", str(path)], capsys)
    assert code == 2 and "PostGIS plans only" in err
