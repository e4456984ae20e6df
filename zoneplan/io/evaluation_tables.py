"""The intensive-use evaluation's statistical tables as an Excel workbook (开发区土地集约利用评价).

``zoneplan report PLAN --tables evaluation -o tables.xlsx`` writes the survey tables behind the
evaluation's indicators, one sheet each, Chinese headers with units, one row per evaluation
scope (zone, or district/park/phase with ``by``):

* ``E.3 土地利用状况`` — 土地总面积 and the land-status areas: 已建成城镇建设用地 A (其中 住宅 A1,
  工矿仓储 A2, 其他 A3–A6), 已建成农村建设用地 B1 (其中 农村工矿仓储 B11: village land by the
  三调 城镇村属性码 CZCSXM 203 is never A), 已达到 / 未达到供地条件的其他土地 B21 / B22,
  不可建设土地 C (公顷).
* ``E.4 土地供应状况`` — 已达到供地条件的土地 A + B21, 已供应国有建设用地 D (其中 已建成 A, 已供应
  未建成), 尚可供应土地 and 闲置土地 G (公顷).
* ``E.7 建筑工程状况`` — floor area and footprint on A and on A2 (万平方米) beside the land
  (公顷).
* ``用地效益状况`` — investment and tax on A2, tax on A (万元).
* ``指标 Indicators`` — each indicator with its formula in the tables' letters, Chinese and
  English name, value and unit: the numbers of ``zoneplan analyze``.

The letters and formulas are those of :mod:`zoneplan.analysis.intensity` (standards.md §1.2–1.3:
the land-status coding of the evaluation's survey tables as implemented in practice). The 规程's
own table drawings were not available: columns follow that coding, sub-columns the plan cannot
know (划拨 / 有偿 D1/D21/D22, A31…A6) are not invented. Values are stored at full precision and
displayed rounded (公顷 to 4 decimals, rates as percentages).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from zoneplan.analysis.intensity import INDICATORS, evaluation_indicators, status_areas
from zoneplan.io.gpkg import atomic_path
from zoneplan.measure import plan_area_basis
from zoneplan.units import M2_PER_HA, YUAN_PER_WAN

__all__ = ["evaluation_tables", "write_evaluation_tables"]

_HA = "0.0000"
_WAN_M2 = "0.0000"
_PCT = "0.00%"
_RATIO = "0.00"
_MONEY = "#,##0.00"

#: Indicator → (English name, formula in the tables' letters, display format).
_INDICATOR_ROWS: dict[str, tuple[str, str, str]] = {
    "land_development_rate": ("Land development rate", "(A + B21) / (A + B1 + B21 + B22)", _PCT),
    "land_supply_rate": ("Land supply rate", "D / (A + B21)", _PCT),
    "land_built_rate": ("Land built rate", "A / D", _PCT),
    "industrial_land_ratio": ("Industrial land ratio", "A2 / A", _PCT),
    "composite_far": ("Composite floor-area ratio", "总建筑面积(A) / A", _RATIO),
    "building_density": ("Building density", "建筑基底面积(A) / A", _PCT),
    "industrial_far": ("Industrial floor-area ratio", "总建筑面积(A2) / A2", _RATIO),
    "industrial_building_coefficient": ("Industrial building coefficient", "基底面积(A2) / A2", _PCT),
    "investment_intensity_wan_per_mu": ("Fixed-asset investment per mu of industrial land", "固定资产投资(A2) / A2", _MONEY),
    "tax_per_mu_wan": ("Tax per mu of industrial land", "税收(A2) / A2", _MONEY),
    "composite_tax_per_mu_wan": ("Tax per mu of built urban land", "税收(A) / A", _MONEY),
    "population_density_per_ha": ("Population density", "常住人口 / A", _RATIO),
    "idle_land_rate": ("Idle land rate", "G / D", _PCT),
}
_UNITS_ZH = {"fraction": "%", "ratio": "—", "万元/亩": "万元/亩", "persons/ha": "人/公顷"}


def evaluation_tables(plan, *, by: str = "zone", year: int | None = None) -> dict[str, tuple[str, pd.DataFrame, dict[str, str]]]:
    """The evaluation's statistical tables of ``plan``.

    Parameters
    ----------
    plan
        The plan.
    by
        Evaluation scope: ``zone`` (default), ``district``, ``park`` or ``phase``.
    year
        Evaluation year (statuses and codes in that year); ``None`` for the plan as it stands.

    Returns
    -------
    dict
        Sheet name → (title, table, column → Excel number format). Tables have Chinese headers
        with units; areas in 公顷 (ha), building areas in 万平方米, money in 万元.

    Examples
    --------
    >>> from zoneplan import Plan, datasets
    >>> tables = evaluation_tables(Plan.read(datasets.get_path("linqing")))
    >>> list(tables)
    ['E.3 土地利用状况', 'E.4 土地供应状况', 'E.7 建筑工程状况', '用地效益状况', '指标 Indicators']
    >>> e3 = tables["E.3 土地利用状况"][1]
    >>> round(float(e3["已建成城镇建设用地 A（公顷）"].iloc[0]), 2)
    2480.31
    """
    s = status_areas(plan, by=by, year=year)  # type: ignore[arg-type]
    ha = s[[c for c in s.columns if c.endswith("_m2") and not c.startswith(("floor", "footprint"))]] / M2_PER_HA
    scope = pd.Series(s.index.astype(str), index=s.index, name="评价范围")
    total = ha[["A_m2", "B1_m2", "B21_m2", "B22_m2", "C_m2", "unknown_m2"]].sum(axis=1)
    e3 = pd.DataFrame(
        {
            "评价范围": scope,
            "土地总面积（公顷）": total,
            "已建成城镇建设用地 A（公顷）": ha["A_m2"],
            "其中：住宅用地 A1（公顷）": ha["A1_m2"],
            "其中：工矿仓储用地 A2（公顷）": ha["A2_m2"],
            "其中：其他 A3–A6（公顷）": ha["A_m2"] - ha["A1_m2"] - ha["A2_m2"],
            "已建成农村建设用地 B1（公顷）": ha["B1_m2"],
            "其中：农村工矿仓储用地 B11（公顷）": ha["B11_m2"],
            "已达到供地条件的其他土地 B21（公顷）": ha["B21_m2"],
            "未达到供地条件的其他土地 B22（公顷）": ha["B22_m2"],
            "不可建设土地 C（公顷）": ha["C_m2"],
            "状况不明（公顷）": ha["unknown_m2"],
        }
    )
    ready = ha["A_m2"] + ha["B21_m2"]
    e4 = pd.DataFrame(
        {
            "评价范围": scope,
            "已达到供地条件的土地 A+B21（公顷）": ready,
            "已供应国有建设用地 D（公顷）": ha["D_m2"],
            "其中：已建成城镇建设用地 A（公顷）": ha["A_m2"],
            "其中：已供应未建成（公顷）": ha["D_m2"] - ha["A_m2"],
            "尚可供应土地 A+B21−D（公顷）": ready - ha["D_m2"],
            "闲置土地 G（公顷）": ha["G_m2"],
        }
    )
    wan_m2 = 1e4
    e7 = pd.DataFrame(
        {
            "评价范围": scope,
            "已建成城镇建设用地 A（公顷）": ha["A_m2"],
            "总建筑面积（万平方米）": s["floor_A_m2"] / wan_m2,
            "建筑基底总面积（万平方米）": s["footprint_A_m2"] / wan_m2,
            "已建成工矿仓储用地 A2（公顷）": ha["A2_m2"],
            "工矿仓储用地总建筑面积（万平方米）": s["floor_A2_m2"] / wan_m2,
            "建筑物构筑物基底、露天堆场和露天操作场地总面积（万平方米）": s["footprint_A2_m2"] / wan_m2,
        }
    )
    benefit = pd.DataFrame(
        {
            "评价范围": scope,
            "已建成工矿仓储用地 A2（公顷）": ha["A2_m2"],
            "工业（物流）企业固定资产投资总额（万元）": s["investment_A2_yuan"] / YUAN_PER_WAN,
            "工业（物流）企业税收总额（万元）": s["tax_A2_yuan"] / YUAN_PER_WAN,
            "已建成城镇建设用地 A（公顷）": ha["A_m2"],
            "二三产业税收总额（万元）": s["tax_A_yuan"] / YUAN_PER_WAN,
        }
    )
    values = evaluation_indicators(plan, by=by, year=year)  # type: ignore[arg-type]
    rows: list[dict[str, Any]] = []
    for name, (zh, unit) in INDICATORS.items():
        en, formula, _ = _INDICATOR_ROWS[name]
        for gid, value in values[name].items():
            rows.append(
                {
                    "评价范围": str(gid),
                    "指标": zh,
                    "Indicator": en,
                    "计算 Formula": formula,
                    "值 Value": value,
                    "单位 Unit": _UNITS_ZH.get(unit, unit),
                    "key": name,
                }
            )
    indicators = pd.DataFrame(rows)
    area_formats = dict.fromkeys(e3.columns[1:], _HA)
    return {
        "E.3 土地利用状况": ("表E.3 开发区土地利用状况统计表（单位：公顷）", e3, area_formats),
        "E.4 土地供应状况": ("表E.4 开发区土地供应状况统计表（单位：公顷）", e4, dict.fromkeys(e4.columns[1:], _HA)),
        "E.7 建筑工程状况": ("表E.7 开发区建筑工程状况统计表", e7, {c: (_HA if "公顷" in c else _WAN_M2) for c in e7.columns[1:]}),
        "用地效益状况": ("开发区用地效益状况统计表", benefit, {c: (_HA if "公顷" in c else _MONEY) for c in benefit.columns[1:]}),
        "指标 Indicators": ("开发区土地集约利用评价指标 Indicators", indicators, {}),
    }


_BASIS_ZH = {"planar": "平面面积 planar", "ellipsoidal": "椭球面积 ellipsoidal"}


def write_evaluation_tables(plan, path: str | os.PathLike, *, by: str = "zone", year: int | None = None) -> dict[str, int]:
    """Write :func:`evaluation_tables` to an ``.xlsx`` workbook (written beside, then moved over ``path``).

    Every sheet's title row names the area basis of its areas (the plan's,
    :func:`zoneplan.measure.plan_area_basis`).

    Returns
    -------
    dict
        Sheet name → data rows.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from zoneplan import datasets
    >>> rows = write_evaluation_tables(datasets.load("linqing"), Path(tempfile.mkdtemp()) / "evaluation.xlsx", by="district")
    >>> sorted(rows)[:3], all(n > 0 for n in rows.values())
    (['E.3 土地利用状况', 'E.4 土地供应状况', 'E.7 建筑工程状况'], True)
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    tables = evaluation_tables(plan, by=by, year=year)
    basis = _BASIS_ZH[plan_area_basis(plan)]
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, (title, table, formats) in tables.items():
        if len(sheet) > 31:  # Excel's limit on sheet names
            raise ValueError(f"sheet name {sheet!r} is longer than 31 characters")
        ws = wb.create_sheet(sheet)
        ws.append([f"{title}  面积基准 area basis: {basis}"])
        ws["A1"].font = Font(bold=True, size=12)
        shown = table.drop(columns=[c for c in ("key",) if c in table.columns])
        ws.append(list(shown.columns))
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        for row in shown.itertuples(index=False):
            ws.append([None if isinstance(v, float) and pd.isna(v) else (float(v) if isinstance(v, float) else v) for v in row])
        for j, col in enumerate(shown.columns, start=1):
            fmt = formats.get(col)
            ws.column_dimensions[get_column_letter(j)].width = max(12, min(28, len(str(col)) * 1.6))
            for i in range(3, ws.max_row + 1):
                if fmt:
                    ws.cell(i, j).number_format = fmt
        if sheet.startswith("指标"):
            fmt_of = {name: f for name, (_, _, f) in _INDICATOR_ROWS.items()}
            value_col = list(shown.columns).index("值 Value") + 1
            for i, key in enumerate(table["key"], start=3):
                ws.cell(i, value_col).number_format = fmt_of[key]
        ws.freeze_panes = "B3"
    with atomic_path(path, suffix=".tmp.xlsx") as tmp:
        wb.save(tmp)
    return {sheet: len(t[1]) for sheet, t in tables.items()}
