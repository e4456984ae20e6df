"""SQL-level tests of a shared PostGIS plan: triggers, identity, typed geometry, constraints, comments, history.

Edits are made the way other clients make them — plain SQL over psycopg as another database user,
and the real ``psql`` program — never through zoneplan, then zoneplan's view of them is checked.
"""

from __future__ import annotations

import subprocess
import uuid

import pandas as pd
import psycopg
import pytest
import shapely
from psycopg import sql

from tests.conftest import box
from zoneplan.errors import InputError
from zoneplan.io import postgis
from zoneplan.io.postgis import ConflictError
from zoneplan.plan import Plan

pytest_plugins = ["tests.postgis_server"]
pytestmark = pytest.mark.postgis


@pytest.fixture
def editor(postgis_uri: str) -> str:
    """A database login role (like a bureau's QGIS user) with no rights yet."""
    role = f"editor_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgis_uri, autocommit=True) as con:
        con.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    return role


def as_role(uri: str, role: str) -> str:
    """The same database, connected as ``role`` (trust authentication)."""
    return uri.replace("postgresql://postgres@", f"postgresql://{role}@", 1)


def table(uri: str, name: str) -> sql.Identifier:
    return sql.Identifier(postgis.parse_uri(uri).plan, name)


def run(uri: str, statement: sql.Composable | str, params: tuple = (), *, role: str | None = None) -> list[tuple]:
    conninfo = postgis.parse_uri(uri).conninfo
    with psycopg.connect(as_role(conninfo, role) if role else conninfo) as con:
        cur = con.execute(statement, params)
        return cur.fetchall() if cur.description else []


def test_an_sql_edit_by_another_user_bumps_version_revision_and_stamps_the_user(plan_uri: str, tiny_plan: Plan, editor: str) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    postgis.grant(plan_uri, editor)
    mine = postgis.read_layer(plan_uri, "parcels", versions=True)
    # the other client even tries to forge the bookkeeping columns: the triggers overwrite them
    run(
        plan_uri,
        sql.SQL("UPDATE {} SET status = 'built', zp_version = 1, zp_updated_by = 'nobody' WHERE parcel_id = 'P3'").format(table(plan_uri, "parcels")),
        role=editor,
    )
    row = run(
        plan_uri,
        sql.SQL("SELECT zp_version, zp_updated_by, zp_updated_at > now() - interval '1 minute' FROM {} WHERE parcel_id = 'P3'").format(
            table(plan_uri, "parcels")
        ),
    )
    assert row == [(2, editor, True)]
    assert postgis.plan_revision(plan_uri) == 2
    # zoneplan's edit from the copy read before is stale: refused, naming the other user
    stale = mine.loc[mine.parcel_id == "P3", ["parcel_id", "zp_version", "status"]].assign(status="unbuildable")
    with pytest.raises(ConflictError, match=rf"P3 \(read at version 1, now version 2 by {editor}\)"):
        postgis.update_features(plan_uri, "parcels", stale)
    assert postgis.read_layer(plan_uri, "parcels")["status"].tolist()[2] == "built"


def test_one_revision_per_transaction_however_many_rows(plan_uri: str, tiny_plan: Plan, editor: str) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    postgis.grant(plan_uri, editor)
    conninfo = as_role(postgis.parse_uri(plan_uri).conninfo, editor)
    with psycopg.connect(conninfo) as con:
        con.execute(sql.SQL("UPDATE {} SET enterprise = '丁公司'").format(table(plan_uri, "parcels")))
        con.execute(sql.SQL("UPDATE {} SET name = '改名'").format(table(plan_uri, "zones")))
        con.execute(sql.SQL("UPDATE {} SET value = 2.5").format(table(plan_uri, "targets")))  # a plan table, too
    assert postgis.plan_revision(plan_uri) == 2
    versions = run(plan_uri, sql.SQL("SELECT zp_version FROM {} ORDER BY zp_fid").format(table(plan_uri, "parcels")))
    assert [v for (v,) in versions] == [2, 2, 2, 2]
    assert Plan.read(plan_uri).table("targets")["value"].tolist() == [2.5]


def test_whole_plan_write_after_an_outside_edit_is_a_conflict_not_a_revert(plan_uri: str, tiny_plan: Plan, editor: str) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    postgis.grant(plan_uri, editor)
    mine = Plan.read(plan_uri)
    run(plan_uri, sql.SQL("DELETE FROM {} WHERE parcel_id = 'P4'").format(table(plan_uri, "parcels")), role=editor)
    with pytest.raises(ConflictError, match="read at revision 1, now 2"):
        mine.with_meta(title="我的").write(plan_uri)
    assert Plan.read(plan_uri).parcels["parcel_id"].tolist() == ["P1", "P2", "P3"]


def test_psql_can_add_a_feature_without_zp_fid_and_grants_survive_a_rewrite(plan_uri: str, tiny_plan: Plan, editor: str) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    postgis.grant(plan_uri, editor)
    postgis.write_plan(Plan.read(plan_uri), plan_uri)  # a whole-plan write keeps the editor's rights
    loc = postgis.parse_uri(plan_uri)
    insert = (
        f'INSERT INTO "{loc.plan}".parcels (parcel_id, zone_id, landuse_code, status, geom) '
        f"VALUES ('P5', 'Z1', '0803', 'ready', ST_Multi(ST_GeomFromText('{box(600, 600, 100, 150).wkt}', 4548))) RETURNING zp_fid, zp_version, zp_updated_by"
    )
    out = subprocess.run(
        ["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", as_role(loc.conninfo, editor), "-c", insert], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[0] == f"4|1|{editor}"  # the next zp_fid after 0…3
    back = Plan.read(plan_uri).parcels
    assert back["parcel_id"].tolist() == ["P1", "P2", "P3", "P4", "P5"]
    assert back.geometry.iloc[4].geom_type == "Polygon" and back.area.iloc[4] == 15_000.0
    assert postgis.plan_revision(plan_uri) == 3


def test_geometry_columns_are_typed_and_polygons_read_back_as_written(plan_uri: str, tiny_plan: Plan) -> None:
    multi = shapely.MultiPolygon([box(600, 0, 100, 100), box(800, 0, 100, 100)])
    parcels = tiny_plan.parcels.copy()
    parcels.loc[3, "geometry"] = multi
    postgis.write_plan(tiny_plan.with_layer("parcels", parcels), plan_uri)
    loc = postgis.parse_uri(plan_uri)
    types = run(
        plan_uri,
        "SELECT f_table_name, type, srid, coord_dimension FROM geometry_columns WHERE f_table_schema = %s AND f_table_name <> 'zoneplan_history' ORDER BY 1",
        (loc.plan,),
    )
    assert types == [("parcels", "MULTIPOLYGON", 4548, 2), ("phases", "MULTIPOLYGON", 4548, 2), ("zones", "MULTIPOLYGON", 4548, 2)]
    back = Plan.read(plan_uri).parcels
    assert back.geom_type.tolist() == ["Polygon", "Polygon", "Polygon", "MultiPolygon"]


def test_contract_ids_are_unique_and_required_by_the_database(plan_uri: str, tiny_plan: Plan, editor: str) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    postgis.grant(plan_uri, editor)
    with pytest.raises(psycopg.errors.UniqueViolation):
        run(plan_uri, sql.SQL("INSERT INTO {} (parcel_id, landuse_code) VALUES ('P1', '0701')").format(table(plan_uri, "parcels")), role=editor)
    with pytest.raises(psycopg.errors.NotNullViolation):
        run(plan_uri, sql.SQL("UPDATE {} SET parcel_id = NULL WHERE parcel_id = 'P2'").format(table(plan_uri, "parcels")), role=editor)
    assert postgis.plan_revision(plan_uri) == 1  # the refused edits changed nothing
    twice = tiny_plan.parcels.assign(parcel_id=["P1", "P2", "P2", "P4"])
    with pytest.raises(InputError, match=r"parcel_id 'P2' is used by more than one feature") as err:
        postgis.write_plan(tiny_plan.with_layer("parcels", twice), plan_uri)
    assert (err.value.layer, err.value.rule) == ("parcels", "unique-id")


def test_tables_and_columns_are_described_in_chinese_and_english_with_units(plan_uri: str, tiny_plan: Plan) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    oid = run(plan_uri, "SELECT %s::regclass::oid", (f'"{postgis.parse_uri(plan_uri).plan}".parcels',))[0][0]
    assert run(plan_uri, "SELECT obj_description(%s, 'pg_class')", (oid,))[0][0].startswith("地块（2023 用地用海分类） / Land parcels")
    comments = dict(run(plan_uri, "SELECT attname, col_description(attrelid, attnum) FROM pg_attribute WHERE attrelid = %s AND attnum > 0", (oid,)))
    assert comments["floor_area_m2"] == "建筑面积 / Floor area (m²)"
    assert comments["investment_yuan"] == "固定资产投资 / Fixed-asset investment (yuan (元))"
    assert comments["zp_updated_by"] == "最后修改人（数据库用户） / Database user of the last change"
    assert comments["geom"].startswith("几何 / Geometry")


def test_history_records_who_when_what_and_the_revision(plan_uri: str, tiny_plan: Plan, editor: str) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    postgis.grant(plan_uri, editor)
    parcels = table(plan_uri, "parcels")
    run(plan_uri, sql.SQL("UPDATE {} SET status = 'built', geom = geom WHERE parcel_id = 'P3'").format(parcels), role=editor)
    run(
        plan_uri,
        sql.SQL("UPDATE {} SET geom = ST_Multi(ST_MakeEnvelope(384300, 4080300, 384500, 4080400, 4548)) WHERE parcel_id = 'P4'").format(parcels),
        role=editor,
    )
    run(plan_uri, sql.SQL("DELETE FROM {} WHERE parcel_id = 'P1'").format(parcels))
    log = postgis.history(plan_uri, layer="parcels")
    assert tuple(log.columns) == postgis.HISTORY_COLUMNS
    assert log["op"].tolist() == ["INSERT"] * 4 + ["UPDATE", "UPDATE", "DELETE"]
    assert log["revision"].tolist() == [1, 1, 1, 1, 2, 3, 4]
    assert log["changed_by"].tolist()[4:] == [editor, editor, "postgres"]
    p3 = log.iloc[4]
    assert p3.feature_id == "P3" and p3.changes == {"status": ["supplied", "built"]} and not p3.geometry_changed
    p4 = log.iloc[5]
    assert p4.changes == {} and p4.geometry_changed and (p4.area_before_m2, p4.area_after_m2) == (40_000.0, 20_000.0)
    gone = log.iloc[6]
    assert gone.feature_id == "P1" and gone.changes["enterprise"] == ["甲公司", None] and gone.area_after_m2 is pd.NA
    assert (log["changed_at"].diff().dropna() >= pd.Timedelta(0)).all()
    assert postgis.history(plan_uri, feature="P3")["op"].tolist() == ["INSERT", "UPDATE"]
    # the history is the database's: an editor may add to it only through the triggers
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run(plan_uri, sql.SQL("DELETE FROM {}").format(table(plan_uri, "zoneplan_history")), role=editor)


def test_history_survives_whole_plan_writes_and_rebuilds_any_revision(plan_uri: str, tiny_plan: Plan) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    run(plan_uri, sql.SQL("UPDATE {} SET landuse_code = '0901' WHERE parcel_id = 'P2'").format(table(plan_uri, "parcels")))
    second = Plan.read(plan_uri)
    postgis.write_plan(second.with_layer("parcels", second.parcels[second.parcels.parcel_id != "P4"]), plan_uri)
    assert postgis.plan_revision(plan_uri) == 3
    at1, at2, at3 = (postgis.read_revision(plan_uri, r) for r in (1, 2, 3))
    assert at1.parcels["landuse_code"].tolist() == ["100101", "100102", "0701", "1101"]
    assert at2.parcels["landuse_code"].tolist() == ["100101", "0901", "0701", "1101"]
    assert at3.parcels["parcel_id"].tolist() == ["P1", "P2", "P3"]
    pd.testing.assert_frame_equal(pd.DataFrame(at1.parcels.drop(columns="geometry")), pd.DataFrame(tiny_plan.parcels.drop(columns="geometry")))
    assert at1.parcels.geometry.normalize().geom_equals_exact(tiny_plan.parcels.geometry.normalize(), tolerance=0).all()
    assert at1.table("targets").equals(tiny_plan.table("targets"))
    # the rewrite logs only what it changed: P4 deleted; P1–P3 unchanged are not logged again
    rewrite = postgis.history(plan_uri).query("revision == 3")
    assert rewrite[["layer", "feature_id", "op"]].values.tolist() == [["parcels", "P4", "DELETE"]]
    assert postgis.history(plan_uri, feature="P2")[["revision", "op"]].values.tolist() == [[1, "INSERT"], [2, "UPDATE"]]
    # a rewrite that changes a feature logs one UPDATE with its old and new values
    third = Plan.read(plan_uri)
    postgis.write_plan(third.with_layer("parcels", third.parcels.assign(status=["built", "built", "built"])), plan_uri)
    changed = postgis.history(plan_uri).query("revision == 4")
    assert changed[["feature_id", "op"]].values.tolist() == [["P3", "UPDATE"]]
    assert changed.iloc[0].changes == {"status": ["supplied", "built"]}
    assert postgis.read_revision(plan_uri, 3).parcels["status"].tolist() == ["built", "built", "supplied"]
    with pytest.raises(InputError, match="has no revision 9: its history covers revisions 1–4"):
        postgis.read_revision(plan_uri, 9)


def test_styles_in_public_layer_styles_and_a_users_style_survives_rewrites(plan_uri: str, tiny_plan: Plan) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    schema = postgis.parse_uri(plan_uri).plan
    ours = run(
        plan_uri,
        "SELECT f_table_name, f_geometry_column, useasdefault, f_table_catalog = current_database() FROM public.layer_styles WHERE f_table_schema = %s ORDER BY 1",
        (schema,),
    )
    assert ours == [("parcels", "geom", True, True), ("phases", "geom", True, True), ("zones", "geom", True, True)]
    run(  # a QGIS user saves their own default style for parcels
        plan_uri,
        "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, stylename, styleqml, useasdefault, description)"
        " VALUES (current_database(), %s, 'parcels', 'geom', '我的样式', XMLPARSE(DOCUMENT '<qgis version=\"3.22\"/>'), true, '张工')",
        (schema,),
    )
    for _ in range(2):
        postgis.write_plan(Plan.read(plan_uri), plan_uri)
    rows = run(plan_uri, "SELECT f_table_name, stylename, useasdefault FROM public.layer_styles WHERE f_table_schema = %s ORDER BY 1, 2", (schema,))
    assert rows == [("parcels", "parcels", False), ("parcels", "我的样式", True), ("phases", "phases", True), ("zones", "zones", True)]


def test_a_user_who_may_not_write_styles_still_writes_the_plan_and_is_told(plan_uri: str, postgis_uri: str, tiny_plan: Plan, editor: str) -> None:
    postgis.write_plan(tiny_plan, plan_uri)  # public.layer_styles exists, owned by the administrator
    with psycopg.connect(postgis_uri, autocommit=True) as con:
        con.execute(sql.SQL("GRANT CREATE ON DATABASE zoneplan_test TO {}").format(sql.Identifier(editor)))
    own = f"{as_role(postgis_uri, editor)}#own_{editor}"
    try:
        with pytest.warns(UserWarning, match=rf"written without QGIS styles: {editor} may not write public.layer_styles"):
            assert postgis.write_plan(tiny_plan, own) == 1
        assert Plan.read(own).parcels["parcel_id"].tolist() == ["P1", "P2", "P3", "P4"]
        assert postgis.history(own)["changed_by"].unique().tolist() == [editor]
    finally:
        with psycopg.connect(postgis_uri, autocommit=True) as con:
            con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(f"own_{editor}")))
