import hashlib
import sqlite3
import subprocess
import sys
import time

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from tests.conftest import box
from zoneplan.errors import CRSError, InputError, PlanError
from zoneplan.plan import Plan


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_roundtrip_keeps_layers_tables_types_and_metadata(tiny_plan, tmp_path):
    path = tmp_path / "plan.gpkg"
    tiny_plan.with_layer("phases", tiny_plan.phases, meta={"source": "test", "note": "illustrative geometry"}).write(path)
    back = Plan.read(path)
    assert set(back.layers) == {"zones", "parcels", "phases"}
    assert back.crs.to_epsg() == 4548
    assert back.meta == {"name": "tiny", "title": "测试规划"}
    assert back.layer_meta["phases"]["note"] == "illustrative geometry"
    p = back.parcels
    assert list(p["parcel_id"]) == ["P1", "P2", "P3", "P4"]
    assert str(p["landuse_code"].dtype) == "string" and p["landuse_code"].iloc[2] == "0701"
    assert str(p["built_year"].dtype) == "Int64" and p["built_year"].isna().sum() == 2
    assert p["enterprise"].iloc[0] == "甲公司"
    assert back.targets.loc[0, "value"] == 2.0 and back.targets.loc[0, "op"] == ">="
    assert p.geometry.area.sum() == pytest.approx(4 * 40_000.0)


def test_layers_open_as_ordinary_gpkg_layers_with_qgis_style(tiny_plan, tmp_path):
    path = tmp_path / "plan.gpkg"
    tiny_plan.write(path)
    names = dict(pyogrio.list_layers(path))
    assert names["parcels"] == "Polygon" and names["targets"] is None
    with sqlite3.connect(path) as con:
        rows = con.execute("SELECT f_table_name, styleName, useAsDefault, styleQML FROM layer_styles").fetchall()
        kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
    assert kinds["parcels"] == "features" and kinds["layer_styles"] == "attributes"
    assert [r[0] for r in rows] == ["zones", "parcels", "phases"]  # every layer has a default style
    parcels = rows[1]
    assert parcels[2] in (1, True, "1")
    assert "categorizedSymbol" in parcels[3] and "100101" in parcels[3]


def test_failed_write_leaves_previous_plan_intact(tiny_plan, tmp_path, monkeypatch):
    path = tmp_path / "plan.gpkg"
    tiny_plan.write(path)
    before = _digest(path)
    calls = {"n": 0}
    real = pyogrio.write_dataframe

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", failing)
    bigger = tiny_plan.with_layer("zones", tiny_plan.zones.assign(name="changed"))
    with pytest.raises(InputError, match=r"could not write: disk full \(simulated\); the previous file is unchanged"):
        bigger.write(path)
    assert _digest(path) == before
    assert [p.name for p in tmp_path.iterdir()] == ["plan.gpkg"]  # no temporary left behind


_WRITER = """
import sys, geopandas as gpd, shapely, numpy as np
from zoneplan.plan import Plan
n = 150000
xs = 384000 + (np.arange(n) % 400) * 20.0
ys = 4080000 + (np.arange(n) // 400) * 20.0
parcels = gpd.GeoDataFrame({"parcel_id": [f"K{i}" for i in range(n)], "landuse_code": ["100101"] * n},
                           geometry=shapely.box(xs, ys, xs + 15, ys + 15), crs=4548)
print("ready", flush=True)
while True:
    Plan({"parcels": parcels}).write(sys.argv[1])
"""


def test_killed_save_leaves_previous_plan_readable_and_unchanged(tiny_plan, tmp_path):
    path = tmp_path / "plan.gpkg"
    tiny_plan.write(path)
    before = _digest(path)
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        # wait until the writer is half-way through its first save (its temporary file exists)
        deadline = time.time() + 60
        while not any(p.name.startswith(".plan.gpkg.") for p in tmp_path.iterdir()):
            assert time.time() < deadline, "writer never started writing"
            time.sleep(0.01)
        time.sleep(0.1)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    # killed half-way: the temporary file is still there, the plan is untouched
    assert any(p.name.startswith(".plan.gpkg.") for p in tmp_path.iterdir())
    assert _digest(path) == before
    back = Plan.read(path)
    assert list(back.parcels["parcel_id"]) == ["P1", "P2", "P3", "P4"]


def test_plan_reprojects_lonlat_layers_into_one_projected_crs(tiny_plan):
    ll = tiny_plan.zones.to_crs(4326)
    plan = Plan({"zones": ll, "parcels": tiny_plan.parcels})
    assert plan.crs.to_epsg() == 4548
    assert plan.zones.geometry.area.iloc[0] == pytest.approx(1_000_000.0, rel=1e-6)


def test_plan_refuses_geographic_working_crs_and_missing_crs():
    with pytest.raises(CRSError):
        Plan(crs=4326)
    with pytest.raises(CRSError, match="no CRS"):
        Plan({"zones": gpd.GeoDataFrame({"zone_id": ["Z"]}, geometry=[box(0, 0, 1, 1)])})


def test_missing_known_layer_is_empty_and_unknown_layer_is_an_error(tiny_plan):
    assert len(tiny_plan.control_lines) == 0 and "kind" in tiny_plan.control_lines.columns
    assert tiny_plan.quotas.empty and "new_construction_mu" in tiny_plan.quotas.columns
    with pytest.raises(PlanError, match="no layer 'roads'"):
        tiny_plan["roads"]


def test_with_layer_does_not_modify_base(tiny_plan):
    changed = tiny_plan.with_layer("zones", tiny_plan.zones.assign(name="新"))
    assert tiny_plan.zones["name"].iloc[0] == "测试开发区"
    assert changed.zones["name"].iloc[0] == "新"


def test_summary_areas(tiny_plan):
    s = tiny_plan.summary().set_index("layer")
    assert s.loc["zones", "area_mu"] == pytest.approx(1500.0)
    assert s.loc["parcels", "area_mu"] == pytest.approx(240.0)
    assert s.loc["parcels", "count"] == 4


def test_reading_a_missing_or_broken_file_names_it(tmp_path):
    with pytest.raises(InputError, match="not found"):
        Plan.read(tmp_path / "nope.gpkg")
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage")
    with pytest.raises(InputError, match=r"bad\.gpkg"):
        Plan.read(bad)


def test_contract_dates_are_stored_as_geopackage_dates_and_read_back_as_text(tiny_plan, tmp_path):
    parcels = tiny_plan.parcels.assign(agreed_start_date=["2020-03-01", None, "2021-12-31", None], started_date=["2020年3月", None, None, None])
    path = tmp_path / "plan.gpkg"
    tiny_plan.with_layer("parcels", parcels).write(path)
    with sqlite3.connect(path) as con:
        ddl = con.execute("SELECT sql FROM sqlite_master WHERE name = 'parcels'").fetchone()[0]
        stored = con.execute("SELECT agreed_start_date FROM parcels ORDER BY fid").fetchall()
    assert '"agreed_start_date" DATE' in ddl
    assert '"started_date" TEXT' in ddl  # not every value is a date: kept as the text it is
    assert stored == [("2020-03-01",), (None,), ("2021-12-31",), (None,)]
    back = Plan.read(path).parcels
    assert back["agreed_start_date"].tolist() == ["2020-03-01", pd.NA, "2021-12-31", pd.NA]
    assert str(back["agreed_start_date"].dtype) == "string"
    assert back["started_date"].tolist()[0] == "2020年3月"
