"""File Geodatabases in and out (issue #13, slice 2): 三调 DLTB and planning databases via OpenFileGDB."""

import warnings

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from tests.bureau_data import DLTB_AS_2023, dltb
from tests.conftest import box
from zoneplan import datasets
from zoneplan.io.vector import read_vector
from zoneplan.measure import ellipsoidal_area_m2
from zoneplan.plan import Plan

pytestmark = pytest.mark.skipif("OpenFileGDB" not in pyogrio.list_drivers(write=True), reason="GDAL without OpenFileGDB write")


def _write(gdf, gdb, layer):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # Int64 → Float64 notes
        pyogrio.write_dataframe(gdf, gdb, layer=layer, driver="OpenFileGDB")


@pytest.fixture
def sandiao_gdb(tmp_path):
    gdb = tmp_path / "371581_2022.gdb"
    _write(dltb(), gdb, "DLTB")
    _write(gpd.GeoDataFrame({"XZQDM": ["371581"], "XZQMC": ["临清市"]}, geometry=[box(-100, -100, 1000, 400)], crs=4548), gdb, "XZQ")
    return gdb


def test_gdb_with_several_layers_lists_them_when_source_layer_is_needed(sandiao_gdb, tmp_path, run):
    r = run("import", sandiao_gdb, "--into", tmp_path / "p.gpkg", "--layer", "parcels")
    assert r.returncode == 2
    assert "holds several layers: DLTB (MultiPolygon, 5), XZQ (MultiPolygon, 1); choose one with --source-layer" in r.stderr
    r = run("import", sandiao_gdb, "--into", tmp_path / "p.gpkg", "--layer", "parcels", "--source-layer", "DLTA")
    assert r.returncode == 2 and "has no layer 'DLTA'" in r.stderr


def test_dltb_from_gdb_is_read_without_map(sandiao_gdb, tmp_path, run):
    r = run("import", sandiao_gdb, "--into", tmp_path / "p.gpkg", "--layer", "parcels", "--source-layer", "DLTB")
    assert r.returncode == 0, r.stderr
    assert "DLBM read as 三调" in r.stdout
    parcels = Plan.read(tmp_path / "p.gpkg")["parcels"]
    assert parcels["landuse_code"].tolist() == DLTB_AS_2023
    assert parcels["landuse_area_m2"].sum() == pytest.approx(49_000)
    assert parcels["survey_area_m2"].sum() == pytest.approx(50_000)


@pytest.fixture
def planning_gdb(tmp_path):
    gdb = tmp_path / "规划成果.gdb"
    ghyd = gpd.GeoDataFrame(
        {
            "BSM": ["G1", "G2", "G3"],
            "YDYHFLDM": ["1001", "1101", "0701"],  # also 三调 codes (铁路, 河流水面): the field name says 2023
            "YDYHFLMC": ["工业用地", "物流仓储用地", "城镇住宅用地"],
            "JQDLBM": ["0103", "0103", "0701"],
            "JQDLMC": ["旱地", "旱地", "城镇住宅用地"],
        },
        geometry=[box(0, 0, 200, 100), box(0, 100, 200, 100), box(200, 0, 100, 200)],
        crs=4548,
    )
    _write(ghyd, gdb, "GHYDYH")
    _write(gpd.GeoDataFrame({"MC": ["临清经开区城镇开发边界"]}, geometry=[box(-50, -50, 500, 400)], crs=4548), gdb, "CZKFBJ")
    _write(gpd.GeoDataFrame({"MC": [None, "刘庄"]}, geometry=[box(600, 0, 100, 100), box(800, 0, 100, 100)], crs=4548), gdb, "YJJBNTBHTB")
    _write(gpd.GeoDataFrame({"HXMC": ["卫运河"]}, geometry=[box(0, 600, 300, 50)], crs=4548), gdb, "STBHHX")
    return gdb


def test_planning_database_control_lines_by_layer_name(planning_gdb, tmp_path, run):
    r = run("import", planning_gdb, "--into", tmp_path / "p.gpkg")
    assert r.returncode == 0, r.stderr
    lines = Plan.read(tmp_path / "p.gpkg")["control_lines"]
    assert sorted(lines["kind"]) == ["basic_farmland", "basic_farmland", "ecological_redline", "urban_development_boundary"]
    assert lines.groupby("kind").geometry.apply(lambda g: g.area.sum()).to_dict() == pytest.approx(
        {"basic_farmland": 20_000, "ecological_redline": 15_000, "urban_development_boundary": 200_000}
    )
    assert set(lines["name"]) == {"临清经开区城镇开发边界", "YJJBNTBHTB", "刘庄", "STBHHX"}


def test_planning_land_use_layer_reads_ydyhfldm_as_2023_and_jqdlbm_as_base(planning_gdb):
    r = read_vector(planning_gdb, layer="GHYDYH")
    d = r.data
    assert d["landuse_code"].tolist() == ["1001", "1101", "0701"]
    assert d["base_landuse_code"].tolist() == ["0103", "0103", "0701"]
    assert d["parcel_id"].tolist() == ["G1", "G2", "G3"]
    assert r.landuse_scheme == "2023" and "field YDYHFLDM is the 2023 用地用海 field" in r.landuse_reason


def test_export_in_the_standard_schemas_and_back(tmp_path, run, sandiao_gdb):
    linqing = datasets.get_path("linqing")
    out = tmp_path / "linqing_guokong.gdb"
    r = run("export", linqing, "--to", out, "--schema", "guokong")
    assert r.returncode == 0, r.stderr
    names = {str(n) for n, _ in pyogrio.list_layers(out)}
    assert {"GHYDYH", "CZKFBJ", "YJJBNTBHTB", "STBHHX", "KFQFW"} <= names
    assert "ellipsoidal areas" in r.stdout  # TBMJ/MJ are ellipsoidal by the databases' definition
    ghyd = pyogrio.read_dataframe(out, layer="GHYDYH")
    plan = Plan.read(linqing)
    ellipsoidal = ellipsoidal_area_m2(plan["parcels"])
    assert ghyd["TBMJ"].to_numpy() == pytest.approx(ellipsoidal.round(2).to_numpy(), abs=0.006)
    assert (ghyd["TBMJ"].to_numpy() < plan["parcels"].area.to_numpy()).all()  # 1.3° from CM 117°E: −0.034 %
    kfq = pyogrio.read_dataframe(out, layer="KFQFW")
    assert kfq["MJ"].sum() == pytest.approx(ellipsoidal_area_m2(plan["zones"]).sum(), abs=0.01)
    assert list(ghyd.columns[:3]) == ["BSM", "YDYHFLDM", "YDYHFLMC"]
    assert ghyd["YDYHFLDM"].tolist() == plan["parcels"]["landuse_code"].tolist()
    assert ghyd.geometry.area.sum() == pytest.approx(plan["parcels"].area.sum(), rel=1e-7)  # the GDB stores a 0.0001 m grid
    back = read_vector(out, layer="GHYDYH").data
    assert back["landuse_code"].tolist() == plan["parcels"]["landuse_code"].tolist()

    # 三调 round trip: the DLTB imported above goes back with its 三调 codes, areas and village code
    run("import", sandiao_gdb, "--into", tmp_path / "p.gpkg", "--layer", "parcels", "--source-layer", "DLTB")
    r = run("export", tmp_path / "p.gpkg", "--to", tmp_path / "out.gdb", "--schema", "sandiao")
    assert r.returncode == 0, r.stderr
    dltb_out = pyogrio.read_dataframe(tmp_path / "out.gdb", layer="DLTB")
    assert dltb_out["DLBM"].tolist() == ["0601", "1101", "08H2", "1004", "05H1"]
    assert dltb_out["DLMC"].tolist() == ["工业用地", "河流水面", "科教文卫用地", "城镇村道路用地", "商业服务业设施用地"]
    assert dltb_out["TBDLMJ"].tolist() == pytest.approx([10_000, 10_000, 10_000, 10_000, 9_000])
    assert dltb_out["CZCSXM"].tolist() == ["201", "201", "201", "201", "203"]
    assert {"BSM", "TBMJ", "KCXS", "KCMJ", "QSDWMC", "ZLDWMC", "SJNF"} <= set(dltb_out.columns)


def test_export_refused_leaves_the_previous_database_intact(tmp_path, run):
    parcels = gpd.GeoDataFrame({"parcel_id": ["S1", "L1"], "landuse_code": ["1801", "1001"]}, geometry=[box(0, 0, 10, 10), box(20, 0, 10, 10)], crs=4548)
    Plan({"parcels": parcels}).write(tmp_path / "sea.gpkg")
    out = tmp_path / "out.gdb"
    assert run("export", tmp_path / "sea.gpkg", "--to", out).returncode == 0
    before = sorted(p.name for p in out.iterdir())
    r = run("export", tmp_path / "sea.gpkg", "--to", out, "--schema", "sandiao", "--overwrite")
    assert r.returncode == 2 and "no 三调 class: 1801" in r.stderr and "feature S1" in r.stderr
    assert sorted(p.name for p in out.iterdir()) == before
    assert pd.Series(pyogrio.read_dataframe(out, layer="parcels")["landuse_code"]).tolist() == ["1801", "1001"]
    assert run("export", tmp_path / "sea.gpkg", "--to", out).returncode == 2  # exists, no --overwrite
