"""Inputs that used to crash the command line: each gives the right answer or one line, exit 2.

Square brackets in user text (rich markup), a targets table without ``year``, a CurvePolygon
layer, a PostgreSQL server that goes away mid-``copy``, a full disk, and Python warnings.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pyogrio
import pytest

from zoneplan import datasets
from zoneplan.io import postgis
from zoneplan.plan import Plan

pytest_plugins = ["tests.postgis_server"]

ROOT = Path(__file__).resolve().parents[1]
BRACKETS = "规划 [/] [bold]粗[/bold] [link=file:///etc/passwd]链接 [red"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("ZONEPLAN_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "zoneplan", *args], capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=300)


def _one_line_error(r: subprocess.CompletedProcess) -> str:
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("zoneplan: error: "), r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- square brackets ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bracket_plan(tmp_path_factory) -> Path:
    plan = datasets.load("zhangdian").with_meta(title=BRACKETS)
    phases = plan.phases.copy()
    phases["name"] = ["[/]", "[red]二期", "三期]"]
    where = tmp_path_factory.mktemp("brackets") / "br[ack]ets [red]"
    where.mkdir()
    path = where / "plan [v2].gpkg"
    plan.with_layer("phases", phases).write(path)
    return path


@pytest.mark.parametrize(
    "args,code",
    [(("info",), 0), (("validate",), 0), (("analyze",), 0), (("check",), 1), (("map", "--kind", "phases", "-o", "{dir}/m [1].html"), 0)],
    ids=["info", "validate", "analyze", "check", "map"],
)
def test_square_brackets_in_titles_names_and_paths_are_printed_as_they_are(bracket_plan: Path, args: tuple[str, ...], code: int) -> None:
    command, *rest = args
    r = run(command, str(bracket_plan), *(a.format(dir=bracket_plan.parent) for a in rest))
    assert r.returncode == code, r.stderr
    assert "Traceback" not in r.stderr and r.stderr == ""
    flat = " ".join(r.stdout.split())
    if command in ("info", "analyze"):
        assert BRACKETS in flat
    if command == "map":
        assert "m [1].html" in flat and (bracket_plan.parent / "m [1].html").exists()
    if command == "validate":
        assert str(bracket_plan) in flat


def test_square_brackets_in_table_cells_and_layer_names(tmp_path: Path) -> None:
    plan = datasets.load("zhangdian")
    path = tmp_path / "p.gpkg"
    src = tmp_path / "[red]分期 [1].geojson"
    phases = plan.phases.copy()
    phases["name"] = ["[/]", "[bold]b", "c"]
    pyogrio.write_dataframe(phases, src, driver="GeoJSON")
    r = run("import", str(src), "--into", str(path), "--layer", "phases")
    assert r.returncode == 0, r.stderr
    assert "[red]分期 [1].geojson" in " ".join(r.stdout.split()) or str(path) in " ".join(r.stdout.split())
    r = run("scenario", str(path), "list")
    assert r.returncode == 0 and "Traceback" not in r.stderr


# -- targets without a year -----------------------------------------------------------------------
def test_targets_without_a_year_column_hold_for_the_plan_as_it_stands(tmp_path: Path) -> None:
    import sqlite3

    targets = datasets.load("linqing").targets
    path = tmp_path / "noyear.gpkg"
    shutil.copy(datasets.get_path("linqing"), path)
    with sqlite3.connect(path) as con:  # as another tool writes it: no year column at all
        con.execute("ALTER TABLE targets DROP COLUMN year")
    assert "year" not in pyogrio.read_dataframe(path, layer="targets", read_geometry=False).columns
    r = run("analyze", str(path), "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["targets"]
    assert len(rows) == len([m for m in targets["metric"] if not str(m).startswith(("parcel_", "env_"))])
    assert all(row["year"] is None for row in rows)
    assert any(row["met"] is not None for row in rows)


# -- curves ---------------------------------------------------------------------------------------
@pytest.fixture
def curve_gpkg(tmp_path: Path) -> Path:
    """A parcel drawn in CAD with an arc: a half disk of 100 m radius, stored as a CurvePolygon."""
    csv = tmp_path / "arc.csv"
    csv.write_text(
        'parcel_id,landuse_code,WKT\nQ1,100101,"CURVEPOLYGON(COMPOUNDCURVE(CIRCULARSTRING(500000 4000000,500100 4000100,500200 4000000),(500200 4000000,500000 4000000)))"\n',
        encoding="utf-8",
    )
    out = tmp_path / "arc.gpkg"
    subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "GPKG",
            str(out),
            str(csv),
            "-oo",
            "GEOM_POSSIBLE_NAMES=WKT",
            "-oo",
            "KEEP_GEOM_COLUMNS=NO",
            "-a_srs",
            "EPSG:4548",
            "-nln",
            "parcels",
            "-nlt",
            "CURVEPOLYGON",
        ],
        check=True,
        capture_output=True,
    )
    info = subprocess.run(["ogrinfo", "-so", str(out), "parcels"], check=True, capture_output=True, text=True).stdout
    assert "Curve Polygon" in info
    return out


def test_a_curvepolygon_layer_is_read_with_its_arcs_as_vertices(curve_gpkg: Path, tmp_path: Path) -> None:
    exact_m2 = math.pi * 100**2 / 2
    r = run("info", str(curve_gpkg), "--json")
    assert r.returncode == 0, r.stderr
    layer = json.loads(r.stdout)["layers"]["parcels"]
    assert layer["count"] == 1 and abs(layer["area_m2"] - exact_m2) / exact_m2 < 1e-4
    plan = Plan.read(curve_gpkg)
    assert "arcs" in plan.layer_meta["parcels"]["curves"]
    r = run("import", str(curve_gpkg), "--into", str(tmp_path / "plan.gpkg"), "--layer", "parcels")
    assert r.returncode == 0, r.stderr
    assert "arcs" in r.stdout
    assert abs(Plan.read(tmp_path / "plan.gpkg").parcels.area.iloc[0] - exact_m2) / exact_m2 < 1e-4


# -- the database goes away -----------------------------------------------------------------------
def test_a_server_that_goes_away_mid_copy_is_one_line_and_the_database_plan_is_unchanged(plan_uri: str, tmp_path: Path, monkeypatch, capsys) -> None:
    from zoneplan.cli import main

    before = datasets.load("zhangdian")
    postgis.write_plan(before, plan_uri)
    conninfo = plan_uri.split("#")[0]
    real = postgis._write_object
    written: list[str] = []

    def server_stops_after_two(cur, loc, name, frame, **kw):
        written.append(name)
        if len(written) == 3:
            # what stopping the server does to every session: the backend is terminated
            with psycopg.connect(conninfo, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (cur.connection.info.backend_pid,))
        return real(cur, loc, name, frame, **kw)

    monkeypatch.setattr(postgis, "_write_object", server_stops_after_two)
    with pytest.raises(SystemExit) as done:
        main(["copy", str(datasets.get_path("linqing")), plan_uri, "--overwrite"])
    err = capsys.readouterr().err
    assert done.value.code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "connection was lost" in lines[0] and f"layer {written[-1]}" in lines[0] and "unchanged" in lines[0]
    monkeypatch.setattr(postgis, "_write_object", real)
    after = Plan.read(plan_uri)
    assert postgis.plan_revision(plan_uri) == 1
    assert sorted(after.layers) == sorted(before.layers) and len(after.parcels) == len(before.parcels)


# -- a full disk ----------------------------------------------------------------------------------
@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A directory on a 1000 KiB tmpfs (as root), holding a copy of linqing.gpkg (632 KiB)."""
    where = tmp_path / "tiny"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1000k", "tmpfs", str(where)], capture_output=True).returncode == 0
    shutil.copy(datasets.get_path("linqing"), where / "linqing.gpkg")
    yield where, mounted
    if mounted:
        subprocess.run(["umount", str(where)], check=True)


def test_a_full_disk_is_one_line_and_the_plan_stays_as_it_was(tiny_disk, tmp_path: Path, monkeypatch, capsys) -> None:
    where, mounted = tiny_disk
    plan_path = where / "linqing.gpkg"
    before = _digest(plan_path)
    args = ["import", str(datasets.get_path("zhangdian")), "--source-layer", "parcels", "--into", str(plan_path), "--layer", "phases"]
    if mounted:  # the real thing: a 1000 KiB file system cannot hold the plan twice
        line = _one_line_error(run(*args))
    else:  # no right to mount: the write fails the way the C library reports a full disk
        from zoneplan.cli import main

        real = pyogrio.write_dataframe

        def full(df, path, **kw):
            real(df.iloc[:1], path, **kw)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(pyogrio, "write_dataframe", full)
        with pytest.raises(SystemExit) as done:
            main(args)
        assert done.value.code == 2
        (line,) = capsys.readouterr().err.strip().splitlines()
    assert "the disk is full" in line and "the previous file is unchanged" in line and str(plan_path) in line
    assert _digest(plan_path) == before
    assert sorted(p.name for p in where.iterdir()) == ["linqing.gpkg"]


# -- warnings -------------------------------------------------------------------------------------
def test_no_python_warning_reaches_the_user_only_a_note(monkeypatch, capsys) -> None:
    import warnings

    from zoneplan.cli import main

    real = pyogrio.read_info

    def warns(*args, **kwargs):  # a library warning on the way, as GDAL/pyogrio give them
        warnings.warn("Measured (M) geometry types are not supported.\nZ and M are dropped", UserWarning, stacklevel=2)
        warnings.warn("a deprecation for developers", DeprecationWarning, stacklevel=2)
        return real(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "read_info", warns)
    with pytest.raises(SystemExit) as done:  # validate reads the plan in full (info answers from its summary, without pyogrio)
        main(["validate", str(datasets.get_path("zhangdian"))])
    err = capsys.readouterr().err
    assert done.value.code == 0
    assert "Warning" not in err and ".py:" not in err and "deprecation" not in err
    assert err.strip().splitlines() == ["zoneplan: note: Measured (M) geometry types are not supported. Z and M are dropped"]
