"""One classification per land-use column, detected and said, or refused (issue #13, slice 1)."""

import json
import warnings

import geopandas as gpd
import pyogrio
import pytest

from tests.bureau_data import DLTB_AS_2023, dltb, write_gbk_shapefile
from tests.conftest import box
from zoneplan.errors import InputError
from zoneplan.io.vector import read_vector
from zoneplan.plan import Plan
from zoneplan.validate import validate


@pytest.mark.parametrize("prj", [True, False])
def test_gbk_dltb_is_read_as_sandiao_without_being_told(tmp_path, prj, run):
    shp = write_gbk_shapefile(dltb(), tmp_path / "DLTB.shp", prj=prj)
    plan = tmp_path / "p.gpkg"
    args = ["import", shp, "--into", plan, "--layer", "parcels", "--json"] + ([] if prj else ["--crs", "EPSG:4527"])
    r = run(*args)
    assert r.returncode == 0, r.stderr
    assert "Warning" not in r.stderr
    out = json.loads(r.raw)
    assert out["landuse_scheme"] == "sandiao"
    assert "08H2" in out["landuse_reason"] and "only in 三调" in out["landuse_reason"]
    assert out["encoding"] == "GB18030" and out["encoding_detected"]
    parcels = Plan.read(plan)["parcels"]
    assert parcels["landuse_code"].tolist() == DLTB_AS_2023
    assert parcels["landuse_code_source"].tolist() == ["0601", "1101", "08H2", "1004", "05H1"]
    assert parcels["parcel_id"].iloc[0] == "3715812022000001"
    assert parcels["owner_unit"].iloc[4] == "烟店镇刘庄村"
    assert parcels["landuse_area_m2"].tolist() == pytest.approx([10_000, 10_000, 10_000, 10_000, 9_000])
    assert parcels.geometry.area.sum() == pytest.approx(50_000)
    v = run("validate", plan)
    assert v.returncode == 0 and "has no problems" in v.stdout, v.stdout


def test_human_output_says_which_scheme_and_why(tmp_path, run):
    shp = write_gbk_shapefile(dltb(), tmp_path / "DLTB.shp")
    r = run("import", shp, "--into", tmp_path / "p.gpkg", "--layer", "parcels")
    assert r.returncode == 0, r.stderr
    assert "DLBM read as 三调: every value is a 三调 code; 08H2, 1004, 05H1 exist only in 三调" in r.stdout
    assert "1 village (CZCSXM 203)" in r.stdout


def test_older_variant_area_net_of_linear_features_and_ridges(tmp_path):
    gpkg = tmp_path / "dltb2.gpkg"
    dltb(older=True).to_file(gpkg, layer="DLTB")
    r = read_vector(gpkg)
    assert r.data["landuse_area_m2"].tolist() == pytest.approx([10_000, 10_000, 9_880, 10_000, 9_000])
    assert any("TBMJ − LINEAR_FEATURE_AREA_M2" in n or "TBMJ − " in n for n in r.notes)


def _one_column(tmp_path, values, name="用地代码", **extra):
    gdf = gpd.GeoDataFrame({name: values, **extra}, geometry=[box(20 * i, 0, 10, 10) for i in range(len(values))], crs=4548)
    path = tmp_path / "codes.gpkg"
    gdf.to_file(path)
    return path


def test_mixed_schemes_exit_2_listing_values(tmp_path, run):
    path = _one_column(tmp_path, ["M2", "0601", "05H1", "100101"])
    r = run("import", path, "--into", tmp_path / "p.gpkg", "--layer", "parcels")
    assert r.returncode == 2
    lines = r.stderr.strip().split("zoneplan: error:")[1:]
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert "mixes classifications" in lines[0] and "M2" in lines[0] and "100101" in lines[0] and "05H1" in lines[0]
    assert "codes.gpkg" in lines[0] and "rule landuse-scheme" in lines[0]
    assert not (tmp_path / "p.gpkg").exists()


def test_codes_of_no_scheme_exit_2(tmp_path, run):
    r = run("import", _one_column(tmp_path, ["0101", "Z9", "XX1"]), "--into", tmp_path / "p.gpkg", "--layer", "parcels")
    assert r.returncode == 2 and "no classification" in r.stderr and "Z9" in r.stderr and "XX1" in r.stderr


def test_colliding_codes_without_evidence_are_refused_and_a_name_column_decides(tmp_path, run):
    r = run("import", _one_column(tmp_path, ["0601", "1001"]), "--into", tmp_path / "p.gpkg", "--layer", "parcels")
    assert r.returncode == 2
    assert "0601 = 2023 用地用海 农村道路 / 三调 工业用地" in r.stderr and "--landuse-scheme 2023|sandiao" in r.stderr
    named = read_vector(_one_column(tmp_path, ["0601", "1001"], 用地名称=["工业用地", "铁路用地"]))
    assert named.data["landuse_code"].tolist() == ["1001", "1201"] and named.landuse_scheme == "sandiao"


def test_integers_are_never_zero_padded_into_codes(tmp_path, run):
    # EULUC-China classes: 301 industrial, 101 residential — 0301 would be 乔木林地
    path = _one_column(tmp_path, [301, 101, 505], name="Class")
    r = run("import", path, "--into", tmp_path / "p.gpkg", "--layer", "parcels", "--map", "Class=landuse_code")
    assert r.returncode == 2 and "holds numbers (301, 101, 505)" in r.stderr
    ok = run("import", path, "--into", tmp_path / "p.gpkg", "--layer", "parcels", "--map", "Class=landuse_code", "--landuse-map", "euluc")
    assert ok.returncode == 0, ok.stderr
    assert Plan.read(tmp_path / "p.gpkg")["parcels"]["landuse_code"].tolist() == ["1001", "0701", "14"]


def test_text_codes_that_lost_their_zero_are_refused_unless_the_scheme_is_named(tmp_path):
    path = _one_column(tmp_path, ["101", "1001", "601"], name="DLBM_TXT")
    with pytest.raises(InputError, match=r"lost leading zeros\? 101 \(0101\?\), 601 \(0601\?\)"):
        read_vector(path, column_map={"DLBM_TXT": "landuse_code"})
    r = read_vector(path, column_map={"DLBM_TXT": "landuse_code"}, landuse_scheme="sandiao")
    assert r.data["landuse_code"].tolist() == ["0101", "1201", "1001"]


def test_numbers_with_a_named_scheme_get_their_zero_back_with_a_note(tmp_path):
    r = read_vector(_one_column(tmp_path, [101, 601], name="DLBM"), landuse_scheme="sandiao")
    assert r.data["landuse_code"].tolist() == ["0101", "1001"]
    assert any("leading zeros restored" in n for n in r.notes)


def test_named_scheme_with_unknown_codes_exits_2_naming_the_feature(tmp_path):
    path = _one_column(tmp_path, ["0601", "100101"], name="DLBM", 地块编号=["A1", "A2"])
    with pytest.raises(InputError, match=r"100101.*feature A2"):
        read_vector(path, landuse_scheme="sandiao")


def test_user_mapping_table_lists_unmapped_values(tmp_path, run):
    table = tmp_path / "map.csv"
    table.write_text("from,to,note\nIND,100102,二类工业\nRES,0701,\n", encoding="utf-8")
    path = _one_column(tmp_path, ["IND", "RES", "WAT", "PARK"], name="Class")
    r = run("import", path, "--into", tmp_path / "p.gpkg", "--layer", "parcels", "--map", "Class=landuse_code", "--landuse-map", table)
    assert r.returncode == 2 and "not in the mapping table: WAT, PARK" in r.stderr
    table.write_text("from,to\nIND,100102\nRES,0701\nWAT,1701\nPARK,1401\n", encoding="utf-8")
    r = read_vector(path, column_map={"Class": "landuse_code"}, landuse_map=table)
    assert r.data["landuse_code"].tolist() == ["100102", "0701", "1701", "1401"]
    table.write_text("from,to\nIND,M2\n", encoding="utf-8")
    with pytest.raises(InputError, match="'to' must be 2023"):
        read_vector(path, column_map={"Class": "landuse_code"}, landuse_map=table)


def test_shapefile_written_by_gdal_gets_its_long_names_back(tmp_path, tiny_plan, run):
    shp = tmp_path / "parcels.shp"
    with warnings.catch_warnings(record=True) as caught:  # GDAL launders every long name, one warning each
        warnings.simplefilter("always")
        pyogrio.write_dataframe(tiny_plan["parcels"].assign(landuse_code_source=tiny_plan["parcels"]["landuse_code"]), shp)
    assert any("laundered field name: 'landuse_code' to 'landuse_co'" in str(w.message) for w in caught)
    assert "landuse_co" in pyogrio.read_info(shp)["fields"]
    r = run("import", shp, "--into", tmp_path / "p.gpkg", "--layer", "parcels")
    assert r.returncode == 0, r.stderr
    assert "landuse_co → landuse_code" in r.stdout
    parcels = Plan.read(tmp_path / "p.gpkg")["parcels"]
    assert {"landuse_code", "floor_area_m2", "footprint_m2", "investment_yuan", "supplied_year"} <= set(parcels.columns)
    assert parcels["floor_area_m2"].iloc[0] == 80_000.0
    problems = validate(Plan.read(tmp_path / "p.gpkg"))
    assert not problems["message"].str.contains("landuse_code").any()


def test_village_factory_by_czcsxm_is_village_land_in_the_evaluation(tmp_path, run):
    """A 三调 0601 工业用地 图斑 with CZCSXM 203 is 1001 by class but 已建成农村建设用地 (B1, B11), not A2."""
    import openpyxl
    import pandas as pd

    from zoneplan.state import plan_state

    town = dltb().iloc[[0]].assign(BSM="3715812022000006", TBBH="6", geometry=[box(600, 0, 100, 100)])
    layer = gpd.GeoDataFrame(pd.concat([dltb(), town], ignore_index=True), crs=4548)
    layer.loc[0, "CZCSXM"] = "203"  # the first factory stands in a village, the sixth in town
    layer["状态"] = ["built", "unbuildable", "built", "built", "built", "built"]
    shp = write_gbk_shapefile(layer, tmp_path / "DLTB.shp")
    plan = tmp_path / "p.gpkg"
    r = run("import", shp, "--into", plan, "--layer", "parcels")
    assert r.returncode == 0, r.stderr
    assert (
        "2 construction 图斑 with CZCSXM 203 (村庄) are village construction land: the evaluation counts them "
        "(once built) as 已建成农村建设用地 B1, 1 of them industrial/storage (B11 农村工矿仓储用地), never as 城镇建设用地 A"
    ) in r.stdout
    zones = tmp_path / "zones.gpkg"
    gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["测试开发区"]}, geometry=[box(-10, -10, 720, 120)], crs=4548).to_file(zones)
    assert run("import", zones, "--into", plan, "--layer", "zones").returncode == 0

    state = plan_state(Plan.read(plan)).table
    assert state["code"].astype(str).tolist() == ["1001", "1701", "08", "1207", "0704", "1001"]
    assert state["industrial"].tolist() == [True, False, False, False, False, True]  # a factory in either place
    assert state["village"].tolist() == [True, False, False, False, True, False]
    assert state["urban_construction"].tolist() == [False, False, True, True, False, True]

    a = run("analyze", plan, "--json")
    assert a.returncode == 0, a.stderr
    ind = json.loads(a.raw)["groups"][0]["indicators"]
    # A = town factory + 08 + 1207 (3 ha), A2 = the town factory only; the village factory and 0704 are B1
    assert ind["industrial_land_ratio"] == pytest.approx(1 / 3)
    assert ind["land_development_rate"] == pytest.approx(3 / 5)  # (A + B21) / (A + B1 + B21 + B22), water is C
    assert ind["industrial_share"] == pytest.approx(1 / 3)  # 工业用地 / 城镇建设用地 leaves the village factory out too

    out = tmp_path / "tables.xlsx"
    t = run("report", plan, "--tables", "evaluation", "-o", out)
    assert t.returncode == 0, t.stderr
    rows = list(openpyxl.load_workbook(out)["E.3 土地利用状况"].iter_rows(min_row=2, values_only=True))
    e3 = dict(zip(rows[0], rows[1]))
    ha = 10_000 / 10_000  # each 图斑 is 100 m × 100 m = 1 公顷
    assert e3["已建成城镇建设用地 A（公顷）"] == pytest.approx(3 * ha, rel=1e-6)
    assert e3["其中：工矿仓储用地 A2（公顷）"] == pytest.approx(1 * ha, rel=1e-6)
    assert e3["已建成农村建设用地 B1（公顷）"] == pytest.approx(2 * ha, rel=1e-6)
    assert e3["其中：农村工矿仓储用地 B11（公顷）"] == pytest.approx(1 * ha, rel=1e-6)
    assert e3["不可建设土地 C（公顷）"] == pytest.approx(1 * ha, rel=1e-6)
