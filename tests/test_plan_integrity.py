"""A damaged plan is refused before it is read or replaced; concurrent writers never lose a layer.

The damaged plan is a copy of ``layers/linqing.gpkg`` with ten of its parcel pages overwritten,
the way a bad sector or a half-copied USB stick damages a file: SQLite then returns the parcels
before the first bad page (37 of 1087) without an error unless asked to check.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest

from zoneplan import datasets
from zoneplan.errors import InputError
from zoneplan.io._integrity import check_geopackage
from zoneplan.io._lock import lock_path, plan_lock
from zoneplan.plan import Plan

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zoneplan", *args], capture_output=True, text=True, cwd=cwd or ROOT, env=_env(), timeout=180)


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _parcel_pages(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as con:
        first, last = con.execute("SELECT min(pageno), max(pageno) FROM dbstat WHERE name = 'parcels'").fetchone()
        (size,) = con.execute("PRAGMA page_size").fetchone()
    return first, last, size


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    path = tmp_path / "linqing.gpkg"
    shutil.copy(datasets.get_path("linqing"), path)
    first, _last, size = _parcel_pages(path)
    with open(path, "r+b") as fh:
        fh.seek((first + 5) * size)  # pages in the middle of the parcels' b-tree
        fh.write(b"\xde\xad\xbe\xef" * (size // 4) * 10)
    # what a reader without the check sees: a part of the parcels, and no error
    assert 0 < len(pyogrio.read_dataframe(path, layer="parcels", use_arrow=True)) < 1087
    return path


@pytest.mark.parametrize(
    "args",
    [
        ("info", "{plan}"),
        ("info", "{plan}", "--json"),
        ("validate", "{plan}"),
        ("validate", "{plan}", "--fix"),
        ("import", str(ROOT / "layers" / "linqing.gpkg"), "--source-layer", "parks", "--into", "{plan}", "--layer", "parks"),
        ("analyze", "{plan}"),
        ("check", "{plan}"),
    ],
    ids=["info", "info-json", "validate", "validate-fix", "import-into", "analyze", "check"],
)
def test_a_damaged_plan_is_refused_and_stays_as_it_was(damaged: Path, args: tuple[str, ...]) -> None:
    before = _digest(damaged)
    r = run(*(a.format(plan=damaged) for a in args))
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert "damaged" in lines[0] and str(damaged) in lines[0] and "layer parcels" in lines[0] and "gpkg-integrity" in lines[0]
    assert _digest(damaged) == before
    assert not [p for p in damaged.parent.iterdir() if p.name.startswith(".linqing.gpkg.")]


def test_writing_over_a_damaged_plan_is_refused(damaged: Path) -> None:
    before = _digest(damaged)
    with pytest.raises(InputError, match="damaged"):
        datasets.load("zhangdian").write(damaged)
    assert _digest(damaged) == before


def test_a_feature_count_that_disagrees_with_the_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.gpkg"
    shutil.copy(datasets.get_path("linqing"), path)
    assert check_geopackage(path)["parcels"] == 1087
    with sqlite3.connect(path) as con:
        con.execute("UPDATE gpkg_ogr_contents SET feature_count = 1200 WHERE table_name = 'parcels'")
    with pytest.raises(InputError, match=r"1087 rows where it records 1200 features.*layer parcels"):
        Plan.read(path)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.gpkg"
    path.write_bytes(b"PK\x03\x04 a zip, not a GeoPackage")
    r = run("info", str(path))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "SQLite 3 header" in r.stderr


def _export(tmp_path: Path, layer: str) -> Path:
    out = tmp_path / f"{layer}.gpkg"
    pyogrio.write_dataframe(datasets.load("linqing")[layer], out, layer=layer, driver="GPKG")
    return out


def _start_import(src: Path, into: Path, layer: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "zoneplan", "import", str(src), "--into", str(into), "--layer", layer],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=_env(),
    )


@pytest.mark.parametrize("round_", range(2))
def test_two_concurrent_imports_into_one_plan_both_keep_their_layer(tmp_path: Path, round_: int) -> None:
    sources = {layer: _export(tmp_path, layer) for layer in ("parks", "districts")}
    into = tmp_path / "plan.gpkg"
    if round_:
        shutil.copy(datasets.get_path("zhangdian"), into)  # an existing plan in a second round
    procs = {layer: _start_import(src, into, layer) for layer, src in sources.items()}
    for _layer, proc in procs.items():
        _out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    plan = Plan.read(into)
    assert len(plan["parks"]) == 8 and len(plan["districts"]) == 2


def _first_line(proc: subprocess.Popen, *, timeout: float) -> str:
    """The first line ``proc`` writes on standard error (within ``timeout`` seconds)."""
    import selectors

    with selectors.DefaultSelector() as sel:
        sel.register(proc.stderr, selectors.EVENT_READ)
        assert sel.select(timeout), "no word from the waiting process"
    return proc.stderr.readline()


def test_a_second_writer_waits_saying_so_then_keeps_both_layers(tmp_path: Path) -> None:
    sources = {layer: _export(tmp_path, layer) for layer in ("parks", "districts")}
    into = tmp_path / "plan.gpkg"
    with plan_lock(into):  # this process writes the plan: both imports must wait for it
        procs = {layer: _start_import(src, into, layer) for layer, src in sources.items()}
        said = {layer: _first_line(p, timeout=120) for layer, p in procs.items()}
        assert all(p.poll() is None for p in procs.values()), "an import did not wait for the lock"
    assert all("waiting for" in line and "another zoneplan process is writing it" in line for line in said.values()), said
    results = {layer: p.communicate(timeout=180) for layer, p in procs.items()}
    assert all(p.returncode == 0 for p in procs.values()), results
    plan = Plan.read(into)
    assert len(plan["parks"]) == 8 and len(plan["districts"]) == 2
    assert not lock_path(into).exists()  # its last holder removed it


def test_a_writer_that_cannot_get_the_lock_in_time_refuses_and_changes_nothing(tmp_path: Path) -> None:
    into = tmp_path / "plan.gpkg"
    shutil.copy(datasets.get_path("zhangdian"), into)
    before = _digest(into)
    code = (
        "import sys\n"
        "from zoneplan.io._lock import plan_lock\n"
        "from zoneplan.errors import InputError\n"
        "from zoneplan import datasets\n"
        f"try:\n    with plan_lock({str(into)!r}, timeout=0.5):\n        datasets.load('linqing').write({str(into)!r})\n"
        "except InputError as e:\n    print(e); sys.exit(2)\n"
    )
    with plan_lock(into):
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=120)
    assert r.returncode == 2 and "another zoneplan process" in r.stdout and "rule plan-lock" in r.stdout
    assert _digest(into) == before
