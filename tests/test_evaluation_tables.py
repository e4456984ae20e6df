"""The evaluation's statistical tables (issue #13, slice 6): the workbook's own cells give back the
indicators of ``zoneplan analyze`` for the bundled Linqing plan."""

import json

import pytest
from openpyxl import load_workbook

from zoneplan import datasets


def _sheet(wb, name):
    ws = wb[name]
    header = [c.value for c in ws[2]]
    return [dict(zip(header, [c.value for c in row])) for row in ws.iter_rows(min_row=3)]


def test_linqing_tables_reproduce_the_analyze_indicators(tmp_path, run):
    plan = datasets.get_path("linqing")
    out = tmp_path / "tables.xlsx"
    r = run("report", plan, "--tables", "evaluation", "-o", out)
    assert r.returncode == 0, r.stderr
    a = run("analyze", plan, "--json")
    indicators = json.loads(a.raw)["groups"][0]["indicators"]

    wb = load_workbook(out)
    assert all(len(name) <= 31 for name in wb.sheetnames)
    assert wb.sheetnames[:3] == ["E.3 土地利用状况", "E.4 土地供应状况", "E.7 建筑工程状况"]
    e3, e4, e7 = (_sheet(wb, n)[0] for n in wb.sheetnames[:3])
    benefit = _sheet(wb, "用地效益状况")[0]
    A, A2 = e3["已建成城镇建设用地 A（公顷）"], e3["其中：工矿仓储用地 A2（公顷）"]
    B1, B21, B22 = e3["已建成农村建设用地 B1（公顷）"], e3["已达到供地条件的其他土地 B21（公顷）"], e3["未达到供地条件的其他土地 B22（公顷）"]
    D, G = e4["已供应国有建设用地 D（公顷）"], e4["闲置土地 G（公顷）"]
    mu_per_ha = 15
    from_tables = {
        "land_development_rate": (A + B21) / (A + B1 + B21 + B22),
        "land_supply_rate": D / (A + B21),
        "land_built_rate": A / D,
        "industrial_land_ratio": A2 / A,
        "composite_far": e7["总建筑面积（万平方米）"] * 1e4 / (A * 1e4),
        "building_density": e7["建筑基底总面积（万平方米）"] / A,
        "industrial_far": e7["工矿仓储用地总建筑面积（万平方米）"] / A2,
        "industrial_building_coefficient": e7["建筑物构筑物基底、露天堆场和露天操作场地总面积（万平方米）"] / A2,
        "investment_intensity_wan_per_mu": benefit["工业（物流）企业固定资产投资总额（万元）"] / (A2 * mu_per_ha),
        "tax_per_mu_wan": benefit["工业（物流）企业税收总额（万元）"] / (A2 * mu_per_ha),
        "composite_tax_per_mu_wan": benefit["二三产业税收总额（万元）"] / (A * mu_per_ha),
        "idle_land_rate": G / D,
    }
    for name, value in from_tables.items():
        assert value == pytest.approx(indicators[name], rel=1e-9), name
    # the land-status areas add up to the zone's parcel area, and the indicator sheet says the same
    assert e3["土地总面积（公顷）"] == pytest.approx(A + B1 + B21 + B22 + e3["不可建设土地 C（公顷）"] + e3["状况不明（公顷）"])
    sheet = {row["Indicator"]: row for row in _sheet(wb, "指标 Indicators")}
    assert sheet["Land supply rate"]["值 Value"] == pytest.approx(indicators["land_supply_rate"])
    assert sheet["Land supply rate"]["指标"] == "土地供应率" and sheet["Land supply rate"]["单位 Unit"] == "%"
    # display rounding: stored exactly, shown rounded
    ws = wb["E.3 土地利用状况"]
    assert ws.cell(3, 2).number_format == "0.0000"
    assert wb["指标 Indicators"].cell(3, 5).number_format == "0.00%"


def test_tables_need_an_xlsx_and_a_known_kind(tmp_path, run):
    plan = datasets.get_path("linqing")
    assert run("report", plan, "--tables", "evaluation", "-o", tmp_path / "t.html").returncode == 2
    r = run("report", plan, "--tables", "findings", "-o", tmp_path / "t.xlsx")
    assert r.returncode == 2 and "evaluation" in r.stderr
