"""Attribute tables joined onto plan layers (issue #13, slice 5): an Excel sheet of enterprise tax
and output per parcel, with Chinese headers, units in brackets and a title row, as zones keep them."""

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import Workbook

from tests.conftest import box
from zoneplan.plan import Plan

MU = 10_000 / 15


@pytest.fixture
def plan_path(tmp_path):
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ["DK-01", "DK-02", "DK-03"],
            "landuse_code": ["100101", "100102", "1101"],
            "enterprise": ["旧名", None, None],
            "tax_yuan": [1.0, 2.0, 3.0],
        },
        geometry=[box(0, 0, 200, 100), box(300, 0, 100, 100), box(0, 200, 100, 100)],
        crs=4548,
    )
    path = tmp_path / "p.gpkg"
    Plan({"parcels": parcels}).write(path)
    return path


def _workbook(path, rows, *, title=True, sheet="2023年"):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append(["临清经济开发区2023年度企业税收与产值统计表"])
        ws.append([])
    ws.append(["序号", "地块编号", "企业名称", "税收（万元）", "工业总产值(亿元)", "用地面积(亩)", "从业人员"])
    for row in rows:
        ws.append(row)
    wb.create_sheet("说明").append(["本表数据来源于税务部门"])
    wb.save(path)
    return path


def test_xlsx_with_chinese_headers_and_units_is_joined(tmp_path, plan_path, run):
    before = Plan.read(plan_path)["parcels"]
    xlsx = _workbook(
        tmp_path / "企业.xlsx",
        [[1, "DK-01", "临清轴承有限公司", 250.5, 1.2, 30, 120], [2, "DK-02", "烟店机械厂", "1,024", 0.35, 15, 45], [3, "DK-99", "外区企业", 10, 0.1, 5, 3]],
    )
    r = run("import", xlsx, "--into", plan_path, "--join", "parcels", "--on", "地块编号=parcel_id", "--sheet", "2023年")
    assert r.returncode == 0, r.stderr
    assert "2 feature(s) matched, 1 without a row" in r.stdout
    assert "1 key(s) in the table match no feature: DK-99" in r.stdout
    after = Plan.read(plan_path)["parcels"].set_index("parcel_id")
    assert after.loc["DK-01", "tax_yuan"] == pytest.approx(2_505_000)
    assert after.loc["DK-02", "tax_yuan"] == pytest.approx(10_240_000)
    assert after.loc["DK-03", "tax_yuan"] == 3.0  # no row: kept
    assert after.loc["DK-01", "output_yuan"] == pytest.approx(1.2e8)
    assert after.loc["DK-01", "land_area_m2"] == pytest.approx(30 * MU)
    assert after.loc["DK-01", "enterprise"] == "临清轴承有限公司"
    assert after.loc["DK-02", "employees"] == 45
    # geometry untouched, row order and count kept
    assert after.geometry.equals(before.set_index("parcel_id").geometry)


def test_duplicate_keys_are_refused_and_the_plan_is_unchanged(tmp_path, plan_path, run):
    xlsx = _workbook(tmp_path / "dup.xlsx", [[1, "DK-01", "甲", 1, 0, 0, 0], [2, "DK-01", "乙", 2, 0, 0, 0]], title=False)
    before = (plan_path.read_bytes(), Plan.read(plan_path)["parcels"]["tax_yuan"].tolist())
    r = run("import", xlsx, "--into", plan_path, "--join", "parcels", "--on", "地块编号=parcel_id")
    assert r.returncode == 2 and "key(s) repeated in the table: DK-01" in r.stderr and "rule table-duplicate-key" in r.stderr
    assert Plan.read(plan_path)["parcels"]["tax_yuan"].tolist() == before[1]


def test_gbk_csv_and_a_text_in_a_money_column(tmp_path, plan_path, run):
    csv = tmp_path / "税收.csv"
    csv.write_bytes("地块编号,税收(万元)\nDK-03,12\n".encode("gbk"))
    assert run("import", csv, "--into", plan_path, "--join", "parcels", "--on", "地块编号=parcel_id").returncode == 0
    assert Plan.read(plan_path)["parcels"].set_index("parcel_id").loc["DK-03", "tax_yuan"] == pytest.approx(120_000)
    csv.write_bytes("地块编号,税收(万元)\nDK-03,待核实\n".encode("gbk"))
    r = run("import", csv, "--into", plan_path, "--join", "parcels", "--on", "地块编号=parcel_id")
    assert r.returncode == 2 and "'待核实', not a number" in r.stderr and "row 1" in r.stderr


def test_missing_key_column_or_sheet_exits_2(tmp_path, plan_path, run):
    xlsx = _workbook(tmp_path / "t.xlsx", [[1, "DK-01", "甲", 1, 0, 0, 0]])
    r = run("import", xlsx, "--into", plan_path, "--join", "parcels", "--on", "宗地号=parcel_id")
    assert r.returncode == 2 and "no header row with a column '宗地号'" in r.stderr
    r = run("import", xlsx, "--into", plan_path, "--join", "parcels", "--on", "地块编号=parcel_id", "--sheet", "2024年")
    assert r.returncode == 2 and "2024年" in r.stderr
    r = run("import", xlsx, "--into", plan_path, "--on", "地块编号=parcel_id")
    assert r.returncode == 2 and "--join LAYER" in r.stderr
    assert pd.isna(Plan.read(plan_path)["parcels"]["enterprise"].iloc[1])
