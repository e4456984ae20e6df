"""Workbooks for people: Chinese + English headers with units, display rounding, safe sheet names.

The findings workbook of ``zoneplan check --excel`` (:func:`zoneplan.compliance.evidence.write_excel`)
and the report workbook of ``zoneplan report -o report.xlsx`` (:func:`zoneplan.report.write_excel`)
are written through :func:`write_sheets`, so their headers, number formats and sheet names are
decided here, in one place. (The evaluation's statistical tables,
:mod:`zoneplan.io.evaluation_tables`, keep the official Chinese layout of TD/T 1029's tables.)

Headers (:data:`COLUMN_LABELS`, :func:`column_header`)
    Each machine column has a Chinese and an English name and, where it has one, a unit:
    ``area_mu`` → ``面积 area (亩 mu)``, ``quota_mu`` → ``新增建设用地指标 quota (亩 mu)``. A sheet whose
    areas were measured on a known basis says so in the header: ``面积 area (亩 mu; 平面 planar)``
    (:data:`BASIS_LABELS`; :func:`zoneplan.measure.plan_area_basis`). Rule titles are those of
    :data:`zoneplan.compliance.findings.RULE_TITLES`; a column without a label keeps its name.
Numbers (:data:`UNIT_FORMATS`, :func:`stored`)
    Findings values are **stored rounded to** :data:`STORED_DECIMALS` **(6) decimal places** — a
    millionth of the unit (of a m², a mu, a year, a per cent fraction's 0.0001 %), far below any
    figure a bureau reports, and enough to remove binary noise such as ``279.5000000002795``
    (stored as ``279.5``), which Excel's formula bar would otherwise show. They are **displayed**
    with an Excel number format by unit: areas and money to 2 decimals with thousands separators
    (``#,##0.00``), distances to 0.1 m, years of idleness to 0.1, calendar years and counts as
    integers, fractions as per cent (``0.00%``), plot ratios to 2 decimals. ``measured`` and
    ``limit`` (and a target's ``target``, ``actual``, ``gap``) take the format of their row's
    ``unit`` (:func:`value_format`); any other float shows at most 4 decimals. The report
    workbook stores its numbers exactly (``exact=True``: they equal ``report --json``) and shows
    them rounded the same way.
Sheet names (:func:`excel_sheet_names`)
    Excel allows at most 31 characters, none of ``[ ] : * ? / \\``, no leading or trailing
    apostrophe, and compares names without regard to case. Names are cleaned (forbidden
    characters → ``_``), cut to 31 characters and made unique after cutting by a ``~2``, ``~3``
    … suffix within the 31.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "BASIS_LABELS",
    "COLUMN_LABELS",
    "ROW_UNIT_COLUMNS",
    "SHEET_NAME_MAX",
    "STORED_DECIMALS",
    "UNIT_FORMATS",
    "UNIT_LABELS",
    "Label",
    "column_format",
    "column_header",
    "excel_sheet_names",
    "label_of",
    "stored",
    "value_format",
    "write_sheets",
]

#: Excel's limit on the length of a sheet name.
SHEET_NAME_MAX = 31
#: Decimal places numbers are stored with (see the module docstring).
STORED_DECIMALS = 6

#: Unit id → how people read it.
UNIT_LABELS: dict[str, str] = {
    "mu": "亩 mu",
    "m2": "平方米 m²",
    "ha": "公顷 ha",
    "m": "米 m",
    "year": "年 years",
    "count": "个 count",
    "ratio": "比值 ratio",
    "fraction": "%",
    "万元/亩": "万元/亩 10⁴ yuan/mu",
    "mu_per_year": "亩/年 mu/year",
    "pp": "百分点 pp",
    "persons/ha": "人/公顷 persons/ha",
    "0–100": "分 0–100",
    "years": "年 years",
}
#: Unit id → Excel number format for display (the stored value keeps :data:`STORED_DECIMALS`).
UNIT_FORMATS: dict[str, str] = {
    "mu": "#,##0.00",
    "m2": "#,##0.00",
    "ha": "#,##0.0000",
    "m": "#,##0.0",
    "year": "0.0",
    "calendar_year": "0",
    "count": "0",
    "ratio": "0.00",
    "fraction": "0.00%",
    "万元/亩": "#,##0.00",
    "mu_per_year": "#,##0.00",
    "pp": "0.00",
    "persons/ha": "#,##0.0",
    "0–100": "0.0",
    "years": "0.0",
}
#: Area basis → how a header names it.
BASIS_LABELS: dict[str, str] = {"planar": "平面 planar", "ellipsoidal": "椭球面积 ellipsoidal"}


@dataclass(frozen=True)
class Label:
    """A column for people: Chinese name, English name, unit id (:data:`UNIT_LABELS`) and whether it is an area.

    Examples
    --------
    >>> label = COLUMN_LABELS["area_mu"]
    >>> label
    Label(zh='面积', en='area', unit='mu', area=True)
    >>> UNIT_LABELS[label.unit], UNIT_FORMATS[label.unit]
    ('亩 mu', '#,##0.00')
    """

    zh: str
    en: str
    unit: str | None = None
    area: bool = False


#: Machine column → its label. The one table of column headers for people's workbooks.
COLUMN_LABELS: dict[str, Label] = {
    # findings: violations, cannot judge, summary
    "rule": Label("规则", "rule"),
    "rule_title": Label("规则名称", "rule title"),
    "layer": Label("图层", "layer"),
    "feature_id": Label("要素编号", "feature id"),
    "other_id": Label("相关要素", "other feature"),
    "year": Label("年份", "year", "calendar_year"),
    "measured": Label("实测值", "measured"),
    "limit": Label("限值", "limit"),
    "unit": Label("单位", "unit"),
    "area_m2": Label("面积", "area", "m2", area=True),
    "area_mu": Label("面积", "area", "mu", area=True),
    "message": Label("说明", "message"),
    "count": Label("违规数", "violations", "count"),
    "cannot_judge": Label("无法判定数", "cannot judge", "count"),
    "area_basis": Label("面积基准", "area basis"),
    "missing": Label("缺少数据", "missing data"),
    # quota balance
    "zone_id": Label("开发区", "zone"),
    "quota_mu": Label("新增建设用地指标", "quota", "mu"),
    "used_mu": Label("新增建设用地", "new construction land", "mu", area=True),
    "excess_mu": Label("超出指标", "excess", "mu", area=True),
    "cumulative_quota_mu": Label("累计指标", "cumulative quota", "mu"),
    "cumulative_used_mu": Label("累计新增", "cumulative use", "mu", area=True),
    "balance_mu": Label("累计结余", "cumulative balance", "mu", area=True),
    "status": Label("状态", "status"),
    # settings
    "setting": Label("设置", "setting"),
    "value": Label("值", "value"),
    # report tables (zoneplan.report.report_tables); indicator columns: INDICATOR_TITLES
    "scenario": Label("情景", "scenario"),
    "level": Label("层级", "level"),
    "group_id": Label("范围", "group"),
    "judged_year": Label("评价年份", "judged year", "calendar_year"),
    "scope": Label("范围", "scope"),
    "metric": Label("指标", "metric"),
    "op": Label("比较", "operator"),
    "target": Label("目标值", "target"),
    "actual": Label("实际值", "actual"),
    "met": Label("达标", "met"),
    "gap": Label("差距", "gap"),
    "gap_pp": Label("差距", "gap", "pp"),
    "gap_mu": Label("差距", "gap", "mu", area=True),
    "note": Label("备注", "note"),
    "tolerance": Label("容差", "tolerance"),
    "indicator": Label("指标", "indicator"),
    "base_value": Label("基准值", "base value"),
    "difference": Label("差值", "difference"),
    "compliant": Label("合规", "compliant"),
    "violations": Label("违规数", "violations", "count"),
    "new_construction_mu": Label("新增建设用地", "new construction land", "mu", area=True),
    "cumulative_mu": Label("累计新增", "cumulative", "mu", area=True),
    "from_agricultural_mu": Label("其中占用农用地", "from agricultural land", "mu", area=True),
    "from_unused_mu": Label("其中占用未利用地", "from unused land", "mu", area=True),
    "base_mu": Label("基准方案", "base", "mu", area=True),
    "scenario_mu": Label("情景方案", "scenario", "mu", area=True),
    "difference_mu": Label("差值", "difference", "mu", area=True),
    "kind": Label("类型", "kind"),
    "remaining_mu": Label("剩余用地", "remaining land", "mu", area=True),
    "start_year": Label("起始年份", "start year", "calendar_year"),
    "annual_supply_mu": Label("年均供地", "annual supply", "mu_per_year", area=True),
    "rate_source": Label("供地速率依据", "supply rate source"),
    "exhaustion_year": Label("用尽年份", "exhaustion year", "calendar_year"),
    "years_left": Label("尚可供地年数", "years left", "year"),
    "description": Label("说明", "description"),
    "edit_order": Label("顺序", "order"),
    "edit": Label("修改", "edit"),
    "topic": Label("主题", "topic"),
    "item": Label("项目", "item"),
    "text": Label("内容", "text"),
}

#: Columns whose numbers are in the unit of their row's ``unit`` column.
ROW_UNIT_COLUMNS: tuple[str, ...] = ("measured", "limit", "target", "actual", "gap")
_FLOAT_FORMAT = "#,##0.00##"
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def label_of(column: str) -> Label | None:
    """The label of ``column``: :data:`COLUMN_LABELS`, else an indicator's title and unit
    (:data:`zoneplan.analysis.INDICATOR_TITLES`, ``INDICATOR_UNITS``), else None.

    Examples
    --------
    >>> label_of("industrial_land_ratio")
    Label(zh='工业用地率', en='industrial land ratio (A2/A)', unit='fraction', area=False)
    """
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    from zoneplan.analysis import INDICATOR_TITLES, INDICATOR_UNITS

    title = INDICATOR_TITLES.get(column)
    if title is None:
        return None
    zh, _, en = title.partition(" ")
    unit = INDICATOR_UNITS.get(column)
    return Label(zh, en, unit, area=unit == "mu")


def column_header(column: str, *, basis: str | None = None) -> str:
    """The header of ``column`` for people: ``面积 area (亩 mu)``; with ``basis``, area columns name it.

    Examples
    --------
    >>> column_header("area_mu"), column_header("area_mu", basis="planar"), column_header("rule")
    ('面积 area (亩 mu)', '面积 area (亩 mu; 平面 planar)', '规则 rule')
    >>> column_header("count"), column_header("year"), column_header("no_label")
    ('违规数 violations (个 count)', '年份 year', 'no_label')
    """
    label = label_of(column)
    if label is None:
        return column
    parts = [UNIT_LABELS[label.unit]] if label.unit in UNIT_LABELS else []
    if label.area and basis:
        parts.append(BASIS_LABELS.get(basis, basis))
    return f"{label.zh} {label.en}" + (f" ({'; '.join(parts)})" if parts else "")


def column_format(column: str) -> str | None:
    """The Excel number format of ``column`` by its unit, or None (``measured``/``limit`` go by row: :data:`UNIT_FORMATS`).

    Examples
    --------
    >>> column_format("area_mu"), column_format("industrial_land_ratio"), column_format("rule")
    ('#,##0.00', '0.00%', None)
    """
    label = label_of(column)
    return UNIT_FORMATS.get(label.unit) if label and label.unit else None


def stored(value: Any) -> Any:
    """A cell value: floats rounded to :data:`STORED_DECIMALS` places (NaN → empty), other values as given.

    Examples
    --------
    >>> stored(279.5000000002795), stored(float("nan")), stored("text"), stored(3)
    (279.5, None, 'text', 3)
    """
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, STORED_DECIMALS)
    return value


def excel_sheet_names(names: Iterable[str]) -> list[str]:
    """Sheet name for each of ``names``, in order: Excel's forbidden characters replaced, at most 31 characters, unique.

    Uniqueness is case-insensitive (as in Excel); a name taken already (after cutting, or given
    twice) gets ``~2``, ``~3`` … within the 31 characters.

    Examples
    --------
    >>> long = "parcel_min_investment_intensity_wan_per_mu"
    >>> excel_sheet_names([long, long + "_2030", "a/b: [x]?", "Summary", "summary"])
    ['parcel_min_investment_intensity', 'parcel_min_investment_intensi~2', 'a_b_ _x__', 'Summary', 'summary~2']
    """
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        clean = _FORBIDDEN.sub("_", str(name)).strip("'") or "sheet"
        candidate, n = clean[:SHEET_NAME_MAX], 1
        while candidate.casefold() in taken:
            n += 1
            tail = f"~{n}"
            candidate = clean[: SHEET_NAME_MAX - len(tail)] + tail
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


def value_format(unit: object, value: object) -> str | None:
    """Number format of a ``measured``/``limit`` cell by its row's ``unit`` (None where the unit is unknown).

    ``year`` is both a duration (idle 1.5 years) and a calendar year (built in 2024): a whole
    number shows as an integer, else to 0.1.

    Examples
    --------
    >>> value_format("fraction", 0.25), value_format("year", 2024.0), value_format("year", 1.53), value_format(None, 1.0)
    ('0.00%', '0', '0.0', None)
    """
    if unit == "year" and isinstance(value, (int, float)) and float(value).is_integer():
        return UNIT_FORMATS["calendar_year"]
    return UNIT_FORMATS.get(str(unit)) if unit is not None else None


def _width(text: object) -> int:
    """Display width of ``text``: CJK characters count double."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in str(text))


def write_sheets(sheets: Iterable[tuple[str, pd.DataFrame, str | None]], path: str | os.PathLike, *, exact: bool = False) -> list[str]:
    """Write ``(name, table, area basis or None)`` sheets as a workbook for people (written beside, then moved over ``path``).

    Headers by :func:`column_header` (the basis named in area headers), values by :func:`stored`
    (``exact=True`` keeps every float as computed, for a workbook whose numbers must equal a
    JSON output), number formats by :func:`column_format` and, for the columns in the row's
    ``unit`` (:data:`ROW_UNIT_COLUMNS`), by that unit (:func:`value_format`); any other float
    shows at most 4 decimals (``#,##0.00##``). Sheet names by :func:`excel_sheet_names`; header
    row frozen and filtered. Text that looks like a formula (``=HYPERLINK(…)``) stays text.

    Returns
    -------
    list of str
        The sheet names written, in order.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import openpyxl
    >>> from zoneplan import datasets
    >>> from zoneplan.analysis import indicators
    >>> table = indicators(datasets.load("zhangdian"), by="phase")[["industrial_land_ratio", "remaining_area_mu"]].reset_index()
    >>> path = Path(tempfile.mkdtemp()) / "phases.xlsx"
    >>> write_sheets([("indicators", table, "planar")], path)
    ['indicators']
    >>> sheet = openpyxl.load_workbook(path)["indicators"]
    >>> [cell.value for cell in sheet[1]]
    ['范围 group', '工业用地率 industrial land ratio (A2/A) (%)', '剩余用地 remaining land (亩 mu; 平面 planar)']
    >>> [cell.value for cell in sheet[2]], [cell.number_format for cell in sheet[2]], sheet.freeze_panes
    (['zhangdian-phase-1', 0.793055, 0.000415], ['General', '0.00%', '#,##0.00'], 'A2')
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from zoneplan.io.gpkg import atomic_path
    from zoneplan.jsonable import to_jsonable

    sheets = list(sheets)
    names = excel_sheet_names(name for name, _, _ in sheets)
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for title, (_, table, basis) in zip(names, sheets):
        sheet = book.create_sheet(title=title)
        columns = [str(c) for c in table.columns]
        headers = [column_header(c, basis=basis) for c in columns]
        sheet.append(headers)
        units = table["unit"].astype(object).where(table["unit"].notna(), None).tolist() if "unit" in table.columns else [None] * len(table)
        formats = [column_format(c) for c in columns]
        by_unit = [c in ROW_UNIT_COLUMNS for c in columns]
        for unit, row in zip(units, table.itertuples(index=False)):
            values = to_jsonable(list(row)) if exact else [stored(v) for v in to_jsonable(list(row))]
            sheet.append(values)
            for cell, value, fmt, per_row in zip(sheet[sheet.max_row], values, formats, by_unit):
                if cell.data_type == "f":  # user text such as "=HYPERLINK(…)" stays text, never a formula
                    cell.data_type = "s"
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    fmt = (value_format(unit, value) if per_row else None) or fmt
                    if fmt or isinstance(value, float):
                        cell.number_format = fmt or _FLOAT_FORMAT
        for i, header in enumerate(headers, start=1):
            cell = sheet.cell(row=1, column=i)
            cell.font, cell.alignment = bold, Alignment(wrap_text=True, vertical="top")
            widest = max([_width(header), *(_width(v) for v in table.iloc[:200, i - 1].tolist())]) if len(table) else _width(header)
            sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, widest + 2))
        sheet.freeze_panes = "A2"
        if columns:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(table) + 1}"
    with atomic_path(Path(path), suffix=".tmp.xlsx") as tmp:
        book.save(tmp)
    return names
