"""``zoneplan raster stats | change | export`` end to end on a hand-built plan."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import rasterio

from tests.plans_raster import make_change_case
from zoneplan.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return int(exc.value.code), out.out, out.err


@pytest.fixture
def case(tmp_path: Path) -> tuple[Path, Path, Path]:
    plan, old, new = make_change_case(tmp_path)
    path = tmp_path / "plan.gpkg"
    plan.write(path)
    return path, old, new


def test_stats_json_and_table(case: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    plan, old, _ = case
    code, out, _ = run(["raster", "stats", str(plan), str(old), "--by", "parcel", "--json"], capsys)
    assert code == 0
    rows = json.loads(out)["rows"]
    p1 = [r for r in rows if r["group_id"] == "P1"]
    assert len(p1) == 1 and p1[0]["value"] == 50 and p1[0]["area_mu"] == pytest.approx(15.0)
    code, out, _ = run(["raster", "stats", str(plan), str(old)], capsys)
    assert code == 0 and "Z1: built-up 45.00 mu" in out


def test_change_exit_1_with_evidence(case: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan, old, new = case
    evidence = tmp_path / "evidence.gpkg"
    code, out, _ = run(["raster", "change", str(plan), str(old), str(new), "--json", "--evidence", str(evidence)], capsys)
    assert code == 1
    payload = json.loads(out)
    assert [(m["parcel_id"], m["mismatch"]) for m in payload["mismatches"]] == [("P2", "recorded_built_looks_bare"), ("P3", "unauthorised_construction")]
    assert (payload["old_year"], payload["new_year"]) == (2020, 2023)
    ev = gpd.read_file(evidence, layer="raster_mismatches")
    assert sorted(ev["parcel_id"]) == ["P2", "P3"] and ev.crs.to_epsg() == 4548
    code, out, _ = run(["raster", "change", str(plan), str(old), str(new)], capsys)
    assert code == 1 and "unauthorised_construction" in out


def test_export_and_bad_input(case: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan, _, _ = case
    tif = tmp_path / "status.tif"
    code, out, _ = run(["raster", "export", str(plan), "--layer", "parcels", "--by", "status", "--resolution", "20", "-o", str(tif), "--json"], capsys)
    assert code == 0 and (json.loads(out)["width"], json.loads(out)["height"]) == (41, 15)  # parcels span 820 × 300 m
    with rasterio.open(tif) as ds:
        assert (ds.read(1) == 1).sum() == 4 * 25  # P1, P2, P5, P7 built: 5 × 5 cells each
    code, _, err = run(["raster", "stats", str(plan), str(tmp_path / "nope.tif")], capsys)
    assert code == 2 and "raster not found" in err
