"""``zoneplan info`` answers from the summary a saved plan carries, and never from a stale one.

The fast path (:mod:`zoneplan.io._summary`) must print exactly what the full read prints, on
every bundled plan and after every kind of edit a plan sees between two saves: features added
through GDAL (as QGIS adds them), a geometry replaced in SQL with the feature count unchanged, a
metadata edit, the summary table dropped.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyogrio
import pytest
import shapely

from zoneplan import datasets
from zoneplan.errors import InputError
from zoneplan.io._summary import AREA_METHOD, SUMMARY_TABLE, plan_info, read_info
from zoneplan.plan import Plan

ROOT = Path(__file__).resolve().parents[1]


def info(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "ZONEPLAN_PROGRESS": "0", **(env or {})}
    return subprocess.run([sys.executable, "-m", "zoneplan", "info", *args], capture_output=True, text=True, cwd=ROOT, env=environ, timeout=300)


def _without_summary(src: Path, dst: Path) -> Path:
    """A copy of ``src`` whose summary is dropped the way a tool unaware of it would: GDAL's DeleteLayer."""
    shutil.copy(src, dst)
    with sqlite3.connect(dst) as con:
        con.execute(f"DROP TABLE {SUMMARY_TABLE}")
        for table in ("gpkg_contents", "gpkg_ogr_contents"):
            con.execute(f"DELETE FROM {table} WHERE table_name = ?", (SUMMARY_TABLE,))
    assert read_info(dst) is None
    return dst


def _copy(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.gpkg"
    shutil.copy(datasets.get_path(name), path)
    return path


@contextlib.contextmanager
def _sql_editor(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain SQLite connection with the functions the GeoPackage's R-tree triggers call (as SpatiaLite has)."""

    def shape(blob: bytes) -> shapely.Geometry:
        envelope = (0, 32, 48, 48, 64)[(blob[3] >> 1) & 0b111]  # GeoPackage binary header, then WKB
        return shapely.from_wkb(blob[8 + envelope :])

    con = sqlite3.connect(path)
    con.create_function("ST_IsEmpty", 1, lambda blob: int(blob is None or shape(blob).is_empty))
    for i, name in enumerate(("ST_MinX", "ST_MinY", "ST_MaxX", "ST_MaxY")):
        con.create_function(name, 1, lambda blob, i=i: float(shape(blob).bounds[i]))
    try:
        with con:
            yield con
    finally:
        con.close()


@pytest.mark.parametrize("name", ["zhangdian", "linqing", "liaocheng"])
def test_every_bundled_plan_carries_a_summary_that_prints_as_the_full_read(name: str, tmp_path: Path) -> None:
    path = datasets.get_path(name)
    fast = read_info(path)
    assert fast is not None, "the bundled plan has no fresh summary: rebuild it with `make layers`"
    assert fast == plan_info(Plan.read(path))
    slow_path = _without_summary(path, tmp_path / f"{name}.gpkg")
    for args in ((), ("--json",)):
        quick, full = info(str(path), *args), info(str(slow_path), *args)
        assert quick.returncode == full.returncode == 0, quick.stderr + full.stderr
        assert quick.stdout.replace(str(path), "") == full.stdout.replace(str(slow_path), "")
    assert json.loads(quick.stdout)["layers"] == fast["layers"]


def test_the_summary_is_rewritten_by_every_save_and_is_no_plan_table(tmp_path: Path) -> None:
    plan = datasets.load("zhangdian")
    path = tmp_path / "plan.gpkg"
    plan.write(path)
    first = read_info(path)
    assert first is not None and first["layers"]["phases"]["count"] == 3
    kept = plan.with_layer("phases", plan.phases.iloc[:2])
    kept.write(path)
    again = read_info(path)
    assert again is not None and again["layers"]["phases"]["count"] == 2
    assert again["layers"]["phases"]["area_m2"] == pytest.approx(float(kept.phases.area.sum()))
    read = Plan.read(path)
    assert SUMMARY_TABLE not in read.tables and list(read.tables) == ["targets"]
    assert [name for name, _ in pyogrio.list_layers(path)][-1] == SUMMARY_TABLE


def test_features_added_through_gdal_make_the_summary_stale(tmp_path: Path) -> None:
    path = _copy(tmp_path, "linqing")
    parcels = datasets.load("linqing").parcels
    extra = parcels.iloc[:2].assign(parcel_id=["NEW-1", "NEW-2"], geometry=parcels.geometry.iloc[:2].translate(50_000, 0))
    pyogrio.write_dataframe(extra, path, layer="parcels", driver="GPKG", append=True)
    assert read_info(path) is None
    shown = json.loads(info(str(path), "--json").stdout)
    assert shown["layers"]["parcels"]["count"] == 1089
    assert shown == plan_info(Plan.read(path))


def test_a_geometry_replaced_in_sql_with_the_count_unchanged_makes_the_summary_stale(tmp_path: Path) -> None:
    path = _copy(tmp_path, "zhangdian")
    before = read_info(path)
    assert before is not None
    with _sql_editor(path) as con:  # phase 1 given phase 3's geometry: three phases still, another area
        con.execute("UPDATE phases SET geom = (SELECT geom FROM phases WHERE fid = 3) WHERE fid = 1")
    assert read_info(path) is None
    shown = json.loads(info(str(path), "--json").stdout)
    assert shown["layers"]["phases"]["count"] == 3
    assert shown["layers"]["phases"]["area_mu"] != pytest.approx(before["layers"]["phases"]["area_mu"])
    assert shown == plan_info(Plan.read(path))


def test_a_metadata_or_table_edit_is_read_from_the_file_on_the_fast_path(tmp_path: Path) -> None:
    path = _copy(tmp_path, "linqing")
    with sqlite3.connect(path) as con:
        con.execute("UPDATE zoneplan_meta SET value = '改名 [bold]规划[/bold]' WHERE key = 'title'")
        con.execute("INSERT INTO zoneplan_meta (key, value) VALUES ('area_basis', 'ellipsoidal')")
        con.execute("DELETE FROM quotas WHERE fid = (SELECT max(fid) FROM quotas)")  # GDAL's trigger updates the feature count
    fast = read_info(path)
    assert fast is not None  # no geometry changed: the summary still holds
    assert fast == plan_info(Plan.read(path))
    assert fast["meta"]["title"] == "改名 [bold]规划[/bold]" and fast["area_basis"] == "ellipsoidal" and fast["tables"]["quotas"] == 4
    shown = info(str(path))
    assert shown.returncode == 0 and "改名 [bold]规划[/bold]" in shown.stdout and "quotas (4 rows)" in shown.stdout


def test_the_area_basis_setting_applies_on_the_fast_path(tmp_path: Path) -> None:
    from zoneplan.plan import Plan

    # the sample plans name their basis (planar): the setting does not change it
    named = str(datasets.get_path("zhangdian"))
    assert json.loads(info(named, "--json", env={"ZONEPLAN_AREA_BASIS": "ellipsoidal"}).stdout)["area_basis"] == "planar"
    # a plan that names none follows the setting, on the fast path as on the full read
    plan = Plan.read(named)
    unnamed = tmp_path / "unnamed.gpkg"
    Plan(plan.layers, plan.tables, crs=plan.crs, meta={k: v for k, v in plan.meta.items() if k != "area_basis"}, layer_meta=plan.layer_meta).write(unnamed)
    assert read_info(unnamed) is not None  # answered from the summary
    for basis in ("ellipsoidal", "planar"):
        assert json.loads(info(str(unnamed), "--json", env={"ZONEPLAN_AREA_BASIS": basis}).stdout)["area_basis"] == basis


def test_a_damaged_plan_is_refused_on_the_fast_path(tmp_path: Path) -> None:
    path = _copy(tmp_path, "linqing")
    with sqlite3.connect(path) as con:
        first, size = con.execute("SELECT min(pageno), (SELECT page_size FROM pragma_page_size) FROM dbstat WHERE name = 'parcels'").fetchone()
    with open(path, "r+b") as fh:
        fh.seek((first + 5) * size)
        fh.write(b"\xde\xad\xbe\xef" * (size // 4) * 10)
    with pytest.raises(InputError, match=r"damaged.*gpkg-integrity"):
        read_info(path)


def test_a_summary_written_by_another_version_or_garbled_is_not_used(tmp_path: Path) -> None:
    path = _copy(tmp_path, "zhangdian")
    with sqlite3.connect(path) as con:
        con.execute(f"UPDATE {SUMMARY_TABLE} SET format = 99")
    assert read_info(path) is None
    with sqlite3.connect(path) as con:
        con.execute(f"UPDATE {SUMMARY_TABLE} SET format = 1, summary = '{{\"crs\": '")
    assert read_info(path) is None
    assert json.loads(info(str(path), "--json").stdout) == plan_info(Plan.read(path))


def test_areas_stored_by_another_area_method_are_measured_again(tmp_path: Path) -> None:
    """A file saved by a zoneplan that measured areas another way (its summary's ``measure``
    differs, or has none, as before the closed-form ellipsoidal area) is read in full: ``info``
    prints today's areas, not the stored ones."""
    path = _copy(tmp_path, "zhangdian")
    assert read_info(path) is not None
    with sqlite3.connect(path) as con:
        (text,) = con.execute(f"SELECT summary FROM {SUMMARY_TABLE}").fetchone()
        stored = json.loads(text)
        assert stored["measure"] == AREA_METHOD
        stored["layers"]["phases"]["area_mu"] += 1.0  # what an older measure would have stored
        for measure in (AREA_METHOD - 1, None):
            old = {**stored, "measure": measure} if measure is not None else {k: v for k, v in stored.items() if k != "measure"}
            con.execute(f"UPDATE {SUMMARY_TABLE} SET summary = ?", (json.dumps(old),))
            con.commit()
            assert read_info(path) is None
    assert json.loads(info(str(path), "--json").stdout) == plan_info(Plan.read(path))


def test_a_plan_in_a_crs_without_an_epsg_code_is_read_in_full(tmp_path: Path) -> None:
    plan = datasets.load("zhangdian")
    custom = "+proj=tmerc +lat_0=0 +lon_0=118 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"
    path = tmp_path / "custom.gpkg"
    Plan(plan.layers, plan.tables, crs=custom, meta=plan.meta).write(path)
    assert read_info(path) is None
    shown = json.loads(info(str(path), "--json").stdout)
    assert shown == plan_info(Plan.read(path)) and not shown["crs"].startswith("EPSG:")
    assert shown["layers"]["phases"]["count"] == 3
