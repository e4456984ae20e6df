"""Values as bureaus really type them (issue #14, class 3): numbers and years written as text, and
features with no geometry. Each is read as a person means it, or refused with one line naming the
file, layer, feature and rule — never a silent NULL, never a dropped feature."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import Workbook

from tests.bureau_data import write_gbk_shapefile
from tests.conftest import box
from zoneplan import datasets
from zoneplan.errors import PlanError
from zoneplan.plan import Plan


def _parcels(**overrides) -> gpd.GeoDataFrame:
    """Four parcels with Chinese field names, every number column typed as text by a person."""
    data = {
        "地块编号": ["LQ-01", "LQ-02", "LQ-03", "LQ-04"],
        "用地代码": ["100101", "100102", "070101", "100101"],
        "建筑面积": ["12,000", "１５，０００", "8000㎡", "1.2万"],
        "供地年份": ["2019年", "二〇二〇", "2021-06-30", "2018"],
        "状态": ["built", "built", "built", "supplied"],
    }
    data.update(overrides)
    return gpd.GeoDataFrame(data, geometry=[box(200 * i, 0, 150, 100) for i in range(4)], crs=4548)


def test_numbers_and_years_written_as_text_are_read_as_meant(tmp_path, run):
    shp = write_gbk_shapefile(_parcels(), tmp_path / "地块.shp")
    plan_path = tmp_path / "p.gpkg"
    r = run("import", shp, "--into", plan_path, "--layer", "parcels")
    assert r.returncode == 0, r.stderr
    assert "建筑面积: 4 value(s) written as text read as numbers (e.g. '12,000' → 12000)" in r.stdout
    parcels = Plan.read(plan_path).parcels.set_index("parcel_id")
    assert parcels["floor_area_m2"].tolist() == [12_000.0, 15_000.0, 8_000.0, 12_000.0]
    assert parcels["supplied_year"].tolist() == [2019, 2020, 2021, 2018]


@pytest.mark.parametrize(
    "column,value,field",
    [("建筑面积", "abc", "建筑面积"), ("供地年份", "明年", "供地年份"), ("建筑面积", "1,5", "建筑面积"), ("建筑面积", "35亩", "建筑面积")],
)
def test_a_value_that_is_no_number_is_refused_naming_file_field_and_feature(tmp_path, run, column, value, field):
    values = list(_parcels()[column])
    values[2] = value
    shp = write_gbk_shapefile(_parcels(**{column: values}), tmp_path / "地块.shp")
    plan_path = tmp_path / "p.gpkg"
    r = run("import", shp, "--into", plan_path, "--layer", "parcels")
    assert r.returncode == 2
    line = r.stderr.strip()
    assert line.startswith("zoneplan: error:") and "\n" not in line and "Traceback" not in line
    assert f"{field} is {value!r}, not a number" in line
    assert "地块.shp" in line and "LQ-03 (row 3)" in line and "rule not-a-number" in line
    assert not plan_path.exists()


def test_explicit_none_markers_are_missing_values_not_errors(tmp_path, run):
    shp = write_gbk_shapefile(_parcels(建筑面积=["12000", "—", "无", "/"]), tmp_path / "地块.shp")
    plan_path = tmp_path / "p.gpkg"
    assert run("import", shp, "--into", plan_path, "--layer", "parcels").returncode == 0
    assert Plan.read(plan_path).parcels["floor_area_m2"].isna().tolist() == [False, True, True, True]


def test_features_with_no_geometry_are_refused_or_dropped_with_a_note(tmp_path, run):
    gdf = _parcels()
    gdf.loc[1, "geometry"] = None
    path = tmp_path / "地块.geojson"
    gdf.to_file(path, driver="GeoJSON")
    plan_path = tmp_path / "p.gpkg"
    r = run("import", path, "--into", plan_path, "--layer", "parcels")
    assert r.returncode == 2
    assert "1 feature(s) with no geometry (NULL or empty): LQ-02 (row 2)" in r.stderr and "--drop-empty" in r.stderr
    assert "rule empty-geometry" in r.stderr and not plan_path.exists()
    r = run("import", path, "--into", plan_path, "--layer", "parcels", "--drop-empty")
    assert r.returncode == 0, r.stderr
    assert "left out 1 feature(s) with no geometry (--drop-empty): LQ-02 (row 2)" in r.stdout
    assert Plan.read(plan_path).parcels["parcel_id"].tolist() == ["LQ-01", "LQ-03", "LQ-04"]


def test_text_in_a_number_column_of_a_plan_is_read_or_refused():
    plan = datasets.load("zhangdian")
    parcels = plan.parcels.astype({"floor_area_m2": object, "supplied_year": object})
    parcels.loc[parcels.index[0], "supplied_year"] = "2019年"
    parcels.loc[parcels.index[1], "floor_area_m2"] = "12,000"
    edited = plan.with_layer("parcels", parcels).parcels
    assert edited["supplied_year"].iloc[0] == 2019 and edited["floor_area_m2"].iloc[1] == 12_000.0
    parcels.loc[parcels.index[2], "floor_area_m2"] = "待核实"
    with pytest.raises(PlanError, match=r"floor_area_m2 is '待核实', not a number") as info:
        plan.with_layer("parcels", parcels)
    assert info.value.feature == str(plan.parcels["parcel_id"].iloc[2]) and info.value.rule == "not-a-number"


def test_a_year_column_of_an_attribute_table_in_chinese_numerals(tmp_path, run):
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["DK-01", "DK-02"], "landuse_code": ["100101", "100102"]}, geometry=[box(0, 0, 100, 100), box(200, 0, 100, 100)], crs=4548
    )
    plan_path = tmp_path / "p.gpkg"
    Plan({"parcels": parcels}).write(plan_path)
    wb = Workbook()
    wb.active.append(["地块编号", "建成年份", "建筑面积"])
    wb.active.append(["DK-01", "二〇一九", "12,000"])
    wb.active.append(["DK-02", "2020年", 9000])
    xlsx = tmp_path / "年份.xlsx"
    wb.save(xlsx)
    r = run("import", xlsx, "--into", plan_path, "--join", "parcels", "--on", "地块编号=parcel_id")
    assert r.returncode == 0, r.stderr
    after = Plan.read(plan_path).parcels.set_index("parcel_id")
    assert after["built_year"].tolist() == [2019, 2020]
    assert after["floor_area_m2"].tolist() == [12_000.0, 9_000.0]
    wb.active.append(["DK-03", "去年", 1])
    wb.save(xlsx)
    r = run("import", xlsx, "--into", plan_path, "--join", "parcels", "--on", "地块编号=parcel_id")
    assert r.returncode == 2 and "'去年', not a number" in r.stderr and "row 3" in r.stderr
    assert pd.Series(Plan.read(plan_path).parcels["built_year"]).tolist() == [2019, 2020]
