"""The findings workbook for people (issue #13, item 7): bilingual headers with units, display
rounding, Excel-safe sheet names and the area basis, on a check of the bundled Linqing plan."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from zoneplan import datasets
from zoneplan.compliance import check
from zoneplan.compliance.findings import RULE_TITLES
from zoneplan.io.workbook import COLUMN_LABELS, column_header

LINQING = Path(__file__).resolve().parents[1] / "layers" / "linqing.gpkg"
RULES = "parcel_projects = []\nparcel_min_far = 1.2\nparcel_min_building_coefficient = 0.5\n"
LONG = "parcel_min_investment_intensity_wan_per_mu"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_FORBIDDEN = set("[]:*?/\\")


@pytest.fixture(scope="module")
def linqing_findings():
    return check(datasets.load("linqing"), year=2025, rules={"parcel_projects": [], "parcel_min_far": 1.2, "parcel_min_building_coefficient": 0.5})


def _rows(sheet) -> list[dict[str, openpyxl.cell.Cell]]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2)]


def _assert_people_workbook(book) -> None:
    names = book.sheetnames
    assert all(len(n) <= 31 and not (_FORBIDDEN & set(n)) for n in names), names
    assert len({n.casefold() for n in names}) == len(names)
    known = {column_header(c, basis=b) for c in COLUMN_LABELS for b in (None, "planar", "ellipsoidal")}
    for sheet in book:
        headers = [c.value for c in sheet[1]]
        assert sheet.freeze_panes == "A2", sheet.title
        for h in headers:  # Chinese, then English: every header is one of the table's labels
            assert h in known and _CJK.search(h) and re.search(r"[a-z]", h), (sheet.title, h)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, float):
                    assert cell.value == round(cell.value, 6), (sheet.title, cell.coordinate, cell.value)  # no binary noise stored
                    assert cell.number_format != "General", (sheet.title, cell.coordinate)  # and shown rounded
                    assert re.fullmatch(r"[#,0]*0(\.0{1,4})?%?", cell.number_format), cell.number_format


def test_check_of_linqing_writes_a_workbook_for_people(tmp_path, run):
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    out = tmp_path / "linqing-findings.xlsx"
    r = run("check", LINQING, "--year", "2025", "--rules", rules, "--excel", out)
    assert r.returncode == 1 and out.exists(), r.stderr
    book = openpyxl.load_workbook(out)
    _assert_people_workbook(book)
    assert book.sheetnames[0] == "summary" and book.sheetnames[-1] == "settings"
    assert LONG[:31] in book.sheetnames  # 42 characters cut to Excel's 31

    summary = [c.value for c in book["summary"][1]]
    assert summary == [
        "规则 rule",
        "规则名称 rule title",
        "违规数 violations (个 count)",
        "面积 area (亩 mu)",
        "无法判定数 cannot judge (个 count)",
        "面积基准 area basis",
    ]
    rows = {row["规则 rule"].value: row for row in _rows(book["summary"])}
    assert rows[LONG]["规则名称 rule title"].value == RULE_TITLES[LONG]  # the rule in full, whatever the sheet name
    assert {row["面积基准 area basis"].value for row in rows.values()} == {"平面 planar"}
    assert rows["basic_farmland_overlap"]["违规数 violations (个 count)"].number_format == "0"

    farmland = book["basic_farmland_overlap"]
    assert [c.value for c in farmland[1]] == [
        "规则 rule",
        "规则名称 rule title",
        "图层 layer",
        "要素编号 feature id",
        "相关要素 other feature",
        "年份 year",
        "实测值 measured",
        "限值 limit",
        "单位 unit",
        "面积 area (平方米 m²; 平面 planar)",
        "面积 area (亩 mu; 平面 planar)",
        "说明 message",
    ]
    (hit,) = _rows(farmland)
    assert hit["要素编号 feature id"].value == "LQC-0101" and hit["年份 year"].number_format == "0"
    area = hit["面积 area (亩 mu; 平面 planar)"]
    assert area.number_format == "#,##0.00" and area.value == pytest.approx(12.0, abs=1e-4) and area.value != 12.0  # exact to 1e-6, shown 12.00

    # the 279.5000000002795: stored 279.5, shown with two decimals
    investment = {row["要素编号 feature id"].value: row for row in _rows(book[LONG[:31]])}
    measured = investment["LQC-0210"]["实测值 measured"]
    assert measured.value == 279.5 and measured.number_format == "#,##0.00"
    assert investment["LQC-0210"]["单位 unit"].value == "万元/亩"
    # measured and limit take their row's unit: plot ratio to 2 decimals, building coefficient as per cent
    far = _rows(book["parcel_min_far"])[0]
    assert (far["实测值 measured"].number_format, far["限值 limit"].value, far["单位 unit"].value) == ("0.00", 1.2, "ratio")
    coefficient = _rows(book["parcel_min_building_coefficient"])[0]
    assert coefficient["实测值 measured"].number_format == "0.00%" and coefficient["限值 limit"].value == 0.5

    balance = [c.value for c in book["quota_balance"][1]]
    assert balance[:4] == ["开发区 zone", "年份 year", "新增建设用地指标 quota (亩 mu)", "新增建设用地 new construction land (亩 mu; 平面 planar)"]
    assert [c.value for c in book["cannot_judge"][1]] == [
        "规则 rule",
        "规则名称 rule title",
        "图层 layer",
        "要素编号 feature id",
        "缺少数据 missing data",
        "说明 message",
    ]
    assert [c.value for c in book["settings"][1]] == ["设置 setting", "值 value"]


def test_long_and_awkward_rule_names_get_unique_excel_sheet_names(linqing_findings, tmp_path):
    v = linqing_findings.violations
    renamed = []
    for name in (LONG + "_scenario_far-2.5", "far/2.5: [scenario]*?", "Summary"):
        part = v[v["rule"] == LONG].copy()
        part["rule"] = name
        renamed.append(replace(linqing_findings, violations=part, checked=(name,), tables={}))
    findings = type(linqing_findings).combine([linqing_findings, *renamed], settings=linqing_findings.settings, year=2025)
    book = openpyxl.load_workbook(findings.to_excel(tmp_path / "f.xlsx"))
    _assert_people_workbook(book)
    names = book.sheetnames
    assert LONG[:31] in names and LONG[:29] + "~2" in names  # both cut to the same 31 characters: the second numbered
    assert "far_2.5_ _scenario___" in names  # Excel's forbidden characters replaced
    assert "summary" in names and "Summary~2" in names  # Excel compares sheet names without regard to case
    titles = {row["规则 rule"].value for row in _rows(book["summary"])}
    assert {LONG, LONG + "_scenario_far-2.5", "far/2.5: [scenario]*?", "Summary"} <= titles  # the full ids stay in the cells


def test_the_sheets_say_the_area_basis_of_their_areas(tmp_path):
    plan = datasets.load("linqing")
    plan = plan.with_meta(area_basis="ellipsoidal")
    findings = check(plan, year=2025)
    book = openpyxl.load_workbook(findings.to_excel(tmp_path / "f.xlsx"))
    _assert_people_workbook(book)
    # quotas are judged on land consumption, on the plan's (ellipsoidal) parcel areas ...
    assert "面积 area (亩 mu; 椭球面积 ellipsoidal)" in [c.value for c in book["quota_exceeded"][1]]
    assert "超出指标 excess (亩 mu; 椭球面积 ellipsoidal)" in [c.value for c in book["quota_balance"][1]]
    # ... and so are the overlaps' conflict geometries (every area on the plan's basis, issue #12)
    assert "面积 area (亩 mu; 椭球面积 ellipsoidal)" in [c.value for c in book["basic_farmland_overlap"][1]]
    basis = {row["规则 rule"].value: row["面积基准 area basis"].value for row in _rows(book["summary"])}
    assert basis["quota_exceeded"] == basis["basic_farmland_overlap"] == "椭球面积 ellipsoidal"
    assert findings.basis_of("quota_exceeded") == findings.basis_of("basic_farmland_overlap") == "ellipsoidal"
    planar = check(plan.with_meta(area_basis="planar"), year=2025)
    book = openpyxl.load_workbook(planar.to_excel(tmp_path / "p.xlsx"))
    assert "面积 area (亩 mu; 平面 planar)" in [c.value for c in book["basic_farmland_overlap"][1]]
    # the two workbooks' overlap areas differ by the planar/ellipsoidal gap (ellipsoidal ≤ planar)
    e = findings.violations.query("rule == 'basic_farmland_overlap'")["area_m2"].sum()
    p = planar.violations.query("rule == 'basic_farmland_overlap'")["area_m2"].sum()
    assert 0 < e < p and (p - e) / p < 1e-3


def test_formula_like_text_stays_text(tmp_path):
    from zoneplan.io.workbook import write_sheets

    formula = '=HYPERLINK("http://example.invalid/","x")'
    path = tmp_path / "w.xlsx"
    write_sheets([("settings", pd.DataFrame({"setting": ["note"], "value": [formula]}), None)], path)
    cell = openpyxl.load_workbook(path)["settings"]["B2"]
    assert cell.value == formula and cell.data_type == "s"
