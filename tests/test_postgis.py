"""The PostGIS backend against a real PostgreSQL + PostGIS server (see tests/postgis_server.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pytest
import shapely
from psycopg import sql

from benchmarks.synthetic import make_plan
from tests.conftest import box
from zoneplan.cli import main
from zoneplan.errors import InputError, PlanError
from zoneplan.io import postgis
from zoneplan.io.postgis import ConflictError
from zoneplan.plan import Plan

pytest_plugins = ["tests.postgis_server"]
pytestmark = pytest.mark.postgis


def odd_plan(tiny_plan: Plan) -> Plan:
    """The tiny plan plus columns that are easy to lose: NULL vs '', Chinese and hostile names, bools, big ints."""
    parcels = tiny_plan.parcels.assign(
        **{
            "备注": ["", None, "含'引号\"和;分号", "多行\n文本"],
            'x"; DROP TABLE parcels; --': [1.5, np.nan, -0.0, 1e300],
            "flag": [True, False, True, False],
            "big": pd.array([2**62, None, -(2**62), 7], dtype="Int64"),
        }
    )
    multi = shapely.MultiPolygon([box(600, 0, 100, 100), box(800, 0, 100, 100)])
    parcels.loc[3, "geometry"] = multi  # a MultiPolygon among Polygons
    plan = tiny_plan.with_layer("parcels", parcels, meta={"source": "手工", "figure": "表1"})
    return plan.with_table("quotas", pd.DataFrame({"zone_id": ["Z1", "Z1"], "year": [2024, 2025], "new_construction_mu": [100.5, np.nan]}))


def assert_plans_equal(a: Plan, b: Plan, *, ignore_meta: tuple[str, ...] = (postgis.REVISION_META_KEY,)) -> None:
    assert list(a.layers) == list(b.layers)
    assert list(a.tables) == list(b.tables)
    for name in a.layers:
        left, right = a[name], b[name]
        assert left.geometry.name == right.geometry.name, name
        pd.testing.assert_frame_equal(
            pd.DataFrame(left.drop(columns=left.geometry.name)), pd.DataFrame(right.drop(columns=right.geometry.name)), check_exact=True, obj=name
        )
        assert left.geometry.geom_equals_exact(right.geometry, tolerance=0).all(), name
        assert (left.geometry.geom_type == right.geometry.geom_type).all(), name
    for name in a.tables:
        pd.testing.assert_frame_equal(a.table(name), b.table(name), check_exact=True, obj=name)
    strip = lambda m: {k: v for k, v in m.items() if k not in ignore_meta}  # noqa: E731
    assert strip(a.meta) == strip(b.meta)
    assert a.layer_meta == b.layer_meta
    assert a.crs == b.crs


# -- round trips ------------------------------------------------------------------------------------
def test_plan_round_trip_is_exact(plan_uri: str, tiny_plan: Plan) -> None:
    plan = odd_plan(tiny_plan)
    assert postgis.write_plan(plan, plan_uri) == 1
    back = Plan.read(plan_uri)
    assert_plans_equal(plan, back)
    assert back.parcels.loc[0, "备注"] == "" and pd.isna(back.parcels.loc[1, "备注"])
    assert back.parcels["big"].tolist()[0] == 2**62
    assert back.meta[postgis.REVISION_META_KEY] == f"{postgis.parse_uri(plan_uri).plan}:1"


def test_gpkg_postgis_gpkg_round_trip_every_layer_and_attribute(plan_uri: str, tmp_path: Path) -> None:
    src = tmp_path / "src.gpkg"
    make_plan(600, n_zones=3, n_control_polygons=20, seed=5).write(src)
    assert main_exit(["copy", str(src), plan_uri]) == 0
    assert main_exit(["export", plan_uri, "--to", str(tmp_path / "back.gpkg")]) == 0
    original, via_db, back = Plan.read(src), Plan.read(plan_uri), Plan.read(tmp_path / "back.gpkg")
    assert set(original.layers) == {"zones", "districts", "parks", "phases", "parcels", "control_lines"}
    assert_plans_equal(original, via_db)
    assert_plans_equal(original, back, ignore_meta=())  # the file carries no database revision
    assert len(back.parcels) == 600 and back.parcels.columns.size == original.parcels.columns.size


def main_exit(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return int(exc.value.code)


def test_copy_refuses_existing_destination_without_overwrite(plan_uri: str, tiny_plan: Plan, tmp_path: Path, capsys) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    src = tmp_path / "t.gpkg"
    tiny_plan.write(src)
    assert main_exit(["copy", str(src), plan_uri]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main_exit(["copy", str(src), plan_uri, "--overwrite", "--json"]) == 0
    assert postgis.plan_revision(plan_uri) == 2


def test_uri_forms_and_listing(postgis_uri: str, plan_uri: str, tiny_plan: Plan) -> None:
    name = postgis.parse_uri(plan_uri).plan
    postgis.write_plan(tiny_plan, f"{postgis_uri}?plan={name}")
    assert len(Plan.read(plan_uri).parcels) == 4
    assert name in postgis.list_plans(postgis_uri)
    with pytest.raises(InputError, match="names no plan"):
        Plan.read(postgis_uri)
    with pytest.raises(InputError, match=f"no plan named 'nope_{name}'"):
        Plan.read(f"{postgis_uri}#nope_{name}")


def test_unreachable_server_is_bad_input(tiny_plan: Plan) -> None:
    with pytest.raises(InputError, match="cannot connect"):
        Plan.read("postgresql://nobody:secret@127.0.0.1:1/none#p")


# -- transactions -----------------------------------------------------------------------------------
def test_failed_write_leaves_previous_plan_intact(plan_uri: str, tiny_plan: Plan, monkeypatch) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    real = postgis._write_object
    calls = []

    def fail_on_third(cur, loc, name, frame, **kw):
        calls.append(name)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(cur, loc, name, frame, **kw)

    monkeypatch.setattr(postgis, "_write_object", fail_on_third)
    changed = tiny_plan.with_layer("parcels", tiny_plan.parcels.assign(status="built"))
    with pytest.raises(RuntimeError, match="disk full"):
        postgis.write_plan(changed, plan_uri)
    monkeypatch.setattr(postgis, "_write_object", real)
    back = Plan.read(plan_uri)
    assert back.parcels["status"].tolist() == ["built", "built", "supplied", "ready"]
    assert postgis.plan_revision(plan_uri) == 1


# -- concurrent edits -------------------------------------------------------------------------------
def test_stale_feature_edit_is_a_conflict(plan_uri: str, tiny_plan: Plan) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    alice = postgis.read_layer(plan_uri, "parcels", versions=True)
    bob = postgis.read_layer(plan_uri, "parcels", versions=True)
    assert alice["zp_version"].tolist() == [1, 1, 1, 1]
    new = postgis.update_features(
        plan_uri, "parcels", alice.loc[[2], ["parcel_id", "zp_version", "status", "built_year"]].assign(status="built", built_year=2024)
    )
    assert new.to_dict() == {"P3": 2}
    # Bob edits P3 and P4 from his stale copy: P3 conflicts, so neither is written.
    edit = bob.loc[[2, 3], ["parcel_id", "zp_version", "status"]].assign(status="unbuildable")
    with pytest.raises(ConflictError, match=r"P3 \(read at version 1, now version 2 by postgres\)") as err:
        postgis.update_features(plan_uri, "parcels", edit)
    assert err.value.conflicts[["feature_id", "expected_version", "current_version"]].values.tolist() == [["P3", 1, 2]]
    now = postgis.read_layer(plan_uri, "parcels", versions=True)
    assert now["status"].tolist() == ["built", "built", "built", "ready"]
    assert now["built_year"].tolist()[2] == 2024
    assert now["zp_version"].tolist() == [1, 1, 2, 1]
    # Re-read, re-apply: accepted.
    assert postgis.update_features(plan_uri, "parcels", now.loc[[3], ["parcel_id", "zp_version", "status"]].assign(status="unbuildable")).to_dict() == {"P4": 2}


def test_simultaneous_edits_second_waits_then_conflicts(plan_uri: str, tiny_plan: Plan) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    plan = postgis.parse_uri(plan_uri).plan
    layer = postgis.read_layer(plan_uri, "parcels", versions=True)
    edit_a = layer.loc[[0], ["parcel_id", "zp_version", "enterprise"]].assign(enterprise="甲公司（改）")
    edit_b = layer.loc[[0], ["parcel_id", "zp_version", "enterprise"]].assign(enterprise="丙公司")
    outcome: dict[str, object] = {}

    def user_b() -> None:
        try:
            outcome["b"] = postgis.update_features(plan_uri, "parcels", edit_b)
        except ConflictError as exc:
            outcome["b"] = exc

    with psycopg.connect(postgis.parse_uri(plan_uri).conninfo) as con_a:
        with con_a.transaction():
            postgis.update_features(con_a, "parcels", edit_a, plan=plan)
            thread = threading.Thread(target=user_b)
            thread.start()
            time.sleep(0.5)
            assert thread.is_alive(), "user B must wait for A's row lock"
        thread.join(timeout=10)
    assert isinstance(outcome["b"], ConflictError)
    assert outcome["b"].conflicts["current_version"].tolist() == [2]
    assert postgis.read_layer(plan_uri, "parcels")["enterprise"].tolist()[0] == "甲公司（改）"


def test_edit_geometry_and_bad_edits(plan_uri: str, tiny_plan: Plan) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    layer = postgis.read_layer(plan_uri, "parcels", versions=True)
    grown = layer.loc[[0], ["parcel_id", "zp_version", "geometry"]].copy()
    grown["geometry"] = [box(0, 0, 300, 200)]
    postgis.update_features(plan_uri, "parcels", grown)
    assert postgis.read_layer(plan_uri, "parcels").area.tolist()[0] == 60_000.0
    with pytest.raises(InputError, match="no column"):
        postgis.update_features(plan_uri, "parcels", layer.loc[[1], ["parcel_id", "zp_version"]].assign(colour="red"))
    with pytest.raises(InputError, match="each feature once"):
        postgis.update_features(plan_uri, "parcels", layer.loc[[1, 1], ["parcel_id", "zp_version", "status"]])
    with pytest.raises(InputError, match="version"):
        postgis.update_features(plan_uri, "parcels", layer.loc[[1], ["parcel_id", "status"]])
    # a deleted feature is reported as such
    with psycopg.connect(postgis.parse_uri(plan_uri).conninfo) as con:
        con.execute(sql.SQL("DELETE FROM {} WHERE parcel_id = 'P2'").format(sql.Identifier(postgis.parse_uri(plan_uri).plan, "parcels")))
    with pytest.raises(ConflictError, match=r"P2 \(read at version 1, now deleted\)"):
        postgis.update_features(plan_uri, "parcels", layer.loc[[1], ["parcel_id", "zp_version", "status"]])


def test_stale_whole_plan_write_is_a_conflict(plan_uri: str, tiny_plan: Plan) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    mine = Plan.read(plan_uri)
    theirs = Plan.read(plan_uri)
    assert postgis.write_plan(theirs.with_meta(title="他们的"), plan_uri) == 2
    with pytest.raises(ConflictError, match="read at revision 1, now 2"):
        mine.with_meta(title="我的").write(plan_uri)
    assert Plan.read(plan_uri).meta["title"] == "他们的"
    with pytest.raises(PlanError, match="already exists"):
        postgis.write_plan(tiny_plan, plan_uri, overwrite=False)


# -- identifiers ------------------------------------------------------------------------------------
MALICIOUS = ['x"; DROP SCHEMA public CASCADE; --', "a b", "x';SELECT 1;--", "public", "pg_catalog", "1abc", "-x", "a" * 64, "名" * 22]


@pytest.mark.parametrize("name", MALICIOUS)
def test_malicious_plan_names_are_refused_before_any_sql(postgis_uri: str, tiny_plan: Plan, name: str) -> None:
    with psycopg.connect(postgis_uri) as con:
        before = con.execute("SELECT count(*) FROM information_schema.schemata").fetchone()[0]
    with pytest.raises(InputError, match="invalid plan name") as err:
        postgis.write_plan(tiny_plan, f"{postgis_uri}#{name}")
    assert err.value.rule == "identifier"
    with psycopg.connect(postgis_uri) as con:
        assert con.execute("SELECT count(*) FROM information_schema.schemata").fetchone()[0] == before
        assert con.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'public'").fetchone()[0] == 1
        assert con.execute("SELECT PostGIS_Version()").fetchone()[0]


def test_malicious_layer_and_column_names(plan_uri: str, tiny_plan: Plan) -> None:
    bad_layer = tiny_plan.with_layer('zones"; DROP TABLE x; --', tiny_plan.zones)
    with pytest.raises(InputError, match="invalid layer name"):
        postgis.write_plan(bad_layer, plan_uri)
    with pytest.raises(InputError, match="reserved"):
        postgis.write_plan(tiny_plan.with_layer("zoneplan_meta", tiny_plan.zones), plan_uri)
    with pytest.raises(InputError, match="reserved by the PostGIS backend"):
        postgis.write_plan(tiny_plan.with_layer("zones", tiny_plan.zones.assign(zp_version=1)), plan_uri)
    # a hostile column name is only data: stored and read back verbatim, nothing else happens
    hostile = '"); DROP SCHEMA public; --'
    postgis.write_plan(tiny_plan.with_layer("zones", tiny_plan.zones.assign(**{hostile: ["ok"]})), plan_uri)
    assert Plan.read(plan_uri).zones[hostile].tolist() == ["ok"]
    with pytest.raises(InputError, match="invalid layer name"):
        postgis.read_layer(plan_uri, "parcels; DROP TABLE zones")


def test_cli_info_on_database_plan(plan_uri: str, tiny_plan: Plan, capsys) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    assert main_exit(["info", plan_uri, "--json"]) == 0
    out = capsys.readouterr().out
    assert '"parcels"' in out and '"area_mu": 240.0' in out  # 4 × 60 mu
    assert main_exit(["plans", plan_uri.split("#")[0], "--json"]) == 0
    assert postgis.parse_uri(plan_uri).plan in capsys.readouterr().out


def test_gist_index_exists_and_is_used(plan_uri: str) -> None:
    postgis.write_plan(make_plan(3_000, n_zones=2, n_control_polygons=10), plan_uri)
    schema = postgis.parse_uri(plan_uri).plan
    with psycopg.connect(postgis.parse_uri(plan_uri).conninfo) as con:
        idx = con.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = 'parcels'", (schema,)).fetchall()
        assert any("USING gist (geom)" in r[0] for r in idx)
        con.execute("SET enable_seqscan = off")
        plan = "\n".join(
            r[0]
            for r in con.execute(
                sql.SQL("EXPLAIN SELECT count(*) FROM {} p JOIN {} c ON ST_Intersects(p.geom, c.geom)").format(
                    sql.Identifier(schema, "parcels"), sql.Identifier(schema, "control_lines")
                )
            ).fetchall()
        )
        assert "_geom_gist" in plan
