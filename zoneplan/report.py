"""Reports for decision makers: one self-contained offline HTML page, or an Excel workbook.

:func:`report_tables` gathers everything a report shows — indicators with targets met or
missed, compliance findings, land consumption, remaining land until exhaustion, the scenarios'
edits and the data sources and assumptions — as named DataFrames; the HTML page
(:func:`write_html`), the workbook (:func:`write_excel`) and ``zoneplan report --json`` are three
renderings of the *same* tables, so their numbers agree by construction.

HTML: one file with no external reference at all — styles inline, charts as base64 PNG, maps as
the offline pages of :mod:`zoneplan.maps` embedded through ``<iframe srcdoc>`` — so it opens on
an intranet with no internet, from a USB stick or as an e-mail attachment.

Excel: one sheet per table, Chinese + English headers with units (``剩余用地 remaining land (亩 mu)``,
:mod:`zoneplan.io.workbook`), numbers stored as numbers (never text) at full precision and shown
rounded by unit, the header row frozen and filtered, written atomically. The HTML page keeps the
column names with their unit (:func:`header_of`, ``remaining_mu [mu]``).

Every area is on the plan's area basis (:func:`zoneplan.measure.plan_area_basis`), and every
rendering says which: the HTML header line, the ``sources`` table's first row (``method`` /
``area_basis``, also the workbook's ``sources`` sheet) and ``area_basis`` in the JSON.

Examples
--------
>>> from zoneplan import datasets
>>> from zoneplan.report import write_report
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "linqing.xlsx"
>>> report = write_report(datasets.load("linqing"), out, years=[2025, 2035], progress=False)
>>> import openpyxl
>>> openpyxl.load_workbook(out).sheetnames[:3]
['indicators', 'targets', 'differences']
"""

from __future__ import annotations

import base64
import datetime
import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zoneplan import _html
from zoneplan._memo import follows_data
from zoneplan.compare import Comparison, compare, plot_timeline
from zoneplan.errors import InputError, ZoneplanError
from zoneplan.io.gpkg import atomic_path
from zoneplan.jsonable import records
from zoneplan.plan import Plan
from zoneplan.plotting import chart_style
from zoneplan.progress import track
from zoneplan.scenario import apply_scenarios, scenarios_of

if TYPE_CHECKING:
    from zoneplan.analysis.grouping import Level

__all__ = ["AREA_BASIS_TEXT", "REPORT_MAP_KINDS", "header_of", "report_json", "report_tables", "unit_of", "write_excel", "write_html", "write_report"]

#: How a report names each area basis (the HTML header line and the ``sources`` sheet).
AREA_BASIS_TEXT: dict[str, str] = {
    "planar": "planar 平面面积 (Gauss–Krüger plane)",
    "ellipsoidal": "ellipsoidal 椭球面积 (国土调查办发〔2008〕32号, as 三调 TBMJ)",
}

#: Maps embedded in the HTML report (each drawn only when the plan has what it needs).
REPORT_MAP_KINDS: tuple[str, ...] = ("landuse", "phases", "remaining", "compliance")

_UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_wan_per_mu", "万元/亩"),
    ("_per_mu_wan", "万元/亩"),
    ("_wan", "万元"),
    ("_yuan", "yuan"),
    ("_m2", "m²"),
    ("_mu", "mu"),
    ("_ha", "ha"),
    ("_km2", "km²"),
    ("_rate", "fraction"),
    ("_ratio", "fraction"),
    ("_share", "fraction"),
    ("_coefficient", "fraction"),
    ("_density", "fraction"),
    ("_far", "ratio"),
    ("_score", "score 0–100"),
    ("_m", "m"),
)
_UNIT_NAMES = {"years_of_supply_left": "years", "years_left": "years", "count": "count", "violations": "count", "cannot_judge": "count"}


def unit_of(column: str) -> str | None:
    """The unit a column name carries (``remaining_mu`` → ``mu``), or None.

    Examples
    --------
    >>> unit_of("tax_per_mu_wan"), unit_of("industrial_land_ratio"), unit_of("group_id")
    ('万元/亩', 'fraction', None)
    """
    if column in _UNIT_NAMES:
        return _UNIT_NAMES[column]
    for suffix, unit in _UNIT_SUFFIXES:
        if column.endswith(suffix):
            return unit
    return None


def header_of(column: str) -> str:
    """Spreadsheet header: the column name with its unit, ``remaining_mu [mu]``.

    Examples
    --------
    >>> header_of("remaining_mu"), header_of("tax_per_mu_wan"), header_of("group_id")
    ('remaining_mu [mu]', 'tax_per_mu_wan [万元/亩]', 'group_id')
    """
    unit = unit_of(column)
    return f"{column} [{unit}]" if unit else column


# -- the tables ---------------------------------------------------------------------------------
def _wide_indicators(comparison: Comparison) -> pd.DataFrame:
    tidy = comparison.indicators
    if tidy.empty:
        return pd.DataFrame(columns=["scenario", "level", "group_id", "year"])
    wide = tidy.pivot_table(index=["scenario", "level", "group_id", "year"], columns="indicator", values="value", aggfunc="first", dropna=False, sort=False)
    wide = wide.reset_index()
    wide.columns.name = None
    order = {name: i for i, name in enumerate(comparison.scenarios)}
    wide = wide.sort_values(["scenario", "group_id", "year"], key=lambda s: s.map(order) if s.name == "scenario" else s, kind="stable")
    first = list(dict.fromkeys(tidy["indicator"]))
    return wide[["scenario", "level", "group_id", "year", *first]].reset_index(drop=True)


def _scenario_table(plan: Plan, names: Sequence[str]) -> pd.DataFrame:
    stored = scenarios_of(plan)
    rows = []
    for name in names:
        if name == "base":
            continue
        scenario = stored[name]
        for number, edit in enumerate(scenario.edits, start=1):
            rows.append({"scenario": name, "description": scenario.description, "edit_order": number, "kind": edit.kind, "edit": edit.describe()})
    return pd.DataFrame(rows, columns=["scenario", "description", "edit_order", "kind", "edit"])


def _sources(plan: Plan, comparison: Comparison) -> pd.DataFrame:
    rows = [{"topic": "method", "item": "area_basis", "text": AREA_BASIS_TEXT[comparison.area_basis]}]
    rows += [{"topic": "plan", "item": key, "text": str(value)} for key, value in plan.meta.items() if key not in ("rules", "area_basis")]
    for layer, meta in plan.layer_meta.items():
        rows += [{"topic": f"layer {layer}", "item": key, "text": str(value)} for key, value in meta.items()]
    rows += [{"topic": "method", "item": key, "text": text} for key, text in comparison.notes.items()]
    exhaustion = comparison.exhaustion
    for r in exhaustion.itertuples():
        rows.append({"topic": "assumption", "item": f"{r.scenario} {r.group_id} supply rate", "text": f"{_fmt(r.annual_supply_mu)} mu/year: {r.rate_source}"})
    rows.append({"topic": "report", "item": "generated", "text": datetime.datetime.now().strftime("%Y-%m-%d %H:%M")})
    return pd.DataFrame(rows, columns=["topic", "item", "text"])


@follows_data
def report_tables(comparison: Comparison, plan: Plan) -> dict[str, pd.DataFrame]:
    """The tables of a report, by sheet name (all areas in mu, rates as fractions).

    Parameters
    ----------
    comparison
        :func:`zoneplan.compare.compare` of the base plan and the chosen scenarios.
    plan
        The base plan (for its scenarios' edits and its sources).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.compare import compare
    >>> plan = datasets.load("zhangdian")
    >>> tables = report_tables(compare({"base": plan}, check=False), plan)
    >>> list(tables)[:4]
    ['indicators', 'targets', 'differences', 'compliance']
    """
    return {
        "indicators": _wide_indicators(comparison),
        "targets": comparison.targets,
        "differences": comparison.differences[comparison.differences["scenario"] != "base"].reset_index(drop=True),
        "compliance": comparison.compliant,
        "findings": comparison.findings,
        "violations": comparison.violations,
        "consumption": comparison.consumption,
        "consumption_differences": comparison.consumption_differences,
        "timeline": comparison.timeline,
        "exhaustion": comparison.exhaustion,
        "scenarios": _scenario_table(plan, comparison.scenarios),
        "sources": _sources(plan, comparison),
    }


def report_json(tables: Mapping[str, pd.DataFrame], *, plan: Plan, comparison: Comparison) -> dict[str, Any]:
    """The ``zoneplan report --json`` form: ``{"plan", "area_basis", "scenarios", "years", "by", "tables": {...}}``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.compare import compare
    >>> plan = datasets.load("zhangdian")
    >>> comparison = compare({"base": plan}, check=False)
    >>> payload = report_json(report_tables(comparison, plan), plan=plan, comparison=comparison)
    >>> payload["scenarios"], payload["by"], "indicators" in payload["tables"]
    (['base'], 'zone', True)
    """
    return {
        "plan": plan.meta.get("title", plan.name),
        "area_basis": comparison.area_basis,
        "scenarios": list(comparison.scenarios),
        "years": list(comparison.years),
        "by": comparison.by,
        "units": {name: {c: unit_of(str(c)) for c in table.columns if unit_of(str(c))} for name, table in tables.items()},
        "tables": {name: records(table) for name, table in tables.items()},
    }


# -- Excel --------------------------------------------------------------------------------------
def write_excel(tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write one sheet per table for people: Chinese + English headers with units, numbers as numbers.

    Headers, number formats and sheet names are those of :func:`zoneplan.io.workbook.write_sheets`
    (``面积 area (亩 mu)``, ``土地开发率 land development rate (%)``); numbers are stored exactly
    as computed — the workbook's numbers equal ``report --json`` — and displayed rounded. The
    header row is frozen and filtered; the file is written atomically.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import openpyxl
    >>> from zoneplan import datasets
    >>> from zoneplan.compare import compare
    >>> plan = datasets.load("zhangdian")
    >>> path = write_excel(report_tables(compare({"base": plan}, check=False), plan), Path(tempfile.mkdtemp()) / "report.xlsx")
    >>> openpyxl.load_workbook(path, read_only=True).sheetnames[:3]
    ['indicators', 'targets', 'differences']
    """
    from zoneplan.io.workbook import write_sheets

    write_sheets(((name, table, None) for name, table in tables.items()), path, exact=True)
    return Path(path)


# -- HTML ---------------------------------------------------------------------------------------
def _fmt(value: Any) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "✔" if value else "✘"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        return f"{value:,.4f}" if abs(float(value)) < 10 else f"{value:,.2f}"
    return str(value)


def _html_table(table: pd.DataFrame, *, limit: int = 500, met_column: str | None = None) -> str:
    if table.empty:
        return '<p class="empty">(none)</p>'
    head = "".join(f"<th>{_html.text(header_of(str(c)))}</th>" for c in table.columns)
    rows = []
    for record in table.head(limit).itertuples(index=False):
        cells = []
        for column, value in zip(table.columns, record):
            cls = ""
            if column == met_column and isinstance(value, (bool, np.bool_)):
                cls = ' class="met"' if value else ' class="missed"'
            elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
                cls = ' class="num"'
            cells.append(f"<td{cls}>{_html.text(_fmt(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = f'<p class="note">{len(table) - limit} more rows in the Excel workbook.</p>' if len(table) > limit else ""
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>{more}'


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _consumption_chart(consumption: pd.DataFrame) -> Any:
    import matplotlib.pyplot as plt

    totals = consumption.groupby(["year", "scenario"], sort=True)["new_construction_mu"].sum().unstack("scenario").fillna(0.0)
    with chart_style():
        fig, ax = plt.subplots(figsize=(9, 3.8), dpi=110)
        if len(totals):
            totals.plot.bar(ax=ax, width=0.8)
        ax.set_xlabel("year 年")
        ax.set_ylabel("new construction land 新增建设用地 (mu)")
        ax.set_title("Land consumption per year 逐年新增建设用地")
        ax.grid(True, axis="y", alpha=0.3)
        fig.tight_layout()
    return fig


def _maps(
    plans: Mapping[str, Plan], *, kinds: Sequence[str], year: int | None, comparison: Comparison, progress: bool | None
) -> list[tuple[str, str | None, str]]:
    """(title, page HTML or None, note) of each map; a map the plan cannot draw becomes a note.

    The compliance map draws the findings of ``comparison`` (check runs once per plan and year).
    """
    from zoneplan.maps import make_map
    from zoneplan.maps.interactive import page_html

    jobs = [("base", kind) for kind in kinds] + [(name, "landuse") for name in plans if name != "base" and "landuse" in kinds]
    out: list[tuple[str, str | None, str]] = []
    for name, kind in track(jobs, description="drawing maps", enabled=progress):
        title = f"{name}: {kind}"
        try:
            found = comparison.checks.get((name, year)) if kind == "compliance" else None
            page = page_html(make_map(plans[name], kind=kind, year=year, violations=None if found is None else found.violations))
        except ZoneplanError as exc:
            out.append((title, None, f"map not drawn: {exc}"))
            continue
        out.append((title, page, ""))
    return out


_CSS = """
body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;color:#222}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #3a6ea5;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}th,td{border:1px solid #ccd;padding:.25em .5em;vertical-align:top}
th{background:#dde7f0;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.met{background:#d8f0d8;color:#185c18;text-align:center}td.missed{background:#f6d5d5;color:#8c1c1c;text-align:center}
.scroll{max-height:32em;overflow:auto}.note,.empty{color:#666;font-size:.85em}
.kpi{display:inline-block;border:1px solid #ccd;border-radius:6px;padding:.5em 1em;margin:.3em;background:#f7f9fb}
.kpi b{font-size:1.4em;display:block}iframe{width:100%;height:520px;border:1px solid #ccd}img{max-width:100%}
"""


def write_html(
    tables: Mapping[str, pd.DataFrame], path: str | Path, *, plan: Plan, comparison: Comparison, maps: Sequence[tuple[str, str | None, str]] = ()
) -> Path:
    """Write the self-contained HTML report (no external reference; atomic).

    Examples
    --------
    >>> import re, tempfile
    >>> from zoneplan import datasets
    >>> from zoneplan.compare import compare
    >>> plan = datasets.load("zhangdian")
    >>> comparison = compare({"base": plan}, check=False)
    >>> path = write_html(report_tables(comparison, plan), Path(tempfile.mkdtemp()) / "report.html", plan=plan, comparison=comparison)
    >>> page = path.read_text(encoding="utf-8")
    >>> re.findall(r"<h2>(.*?)</h2>", page)[:3]
    ['Summary 概要', 'Targets 目标 — met / missed', 'Indicators 指标']
    >>> re.findall(r'<div class="kpi">(.*?)</div>', page)  # per scenario: targets met, violations, the year land runs out
    ['base<b>0/0</b>targets met<b>0</b>violations<b>2024</b>land runs out']
    >>> re.findall(r'(?:src|href)="https?:', page)  # self-contained: charts are inline PNG, nothing is fetched
    []
    """
    esc = _html.text
    title = plan.meta.get("title", plan.name)
    parts = [f'<!DOCTYPE html><html lang="zh-CN"><head><title>{esc(title)} — zoneplan report</title><style>{_CSS}</style></head><body>']
    parts.append(
        f'<h1>{esc(title)}</h1><p class="note">zoneplan report · scenarios: {esc(", ".join(comparison.scenarios))} · years: {esc(", ".join("as planned" if y is None else str(y) for y in comparison.years))} · by {esc(comparison.by)} · area basis: {esc(AREA_BASIS_TEXT[comparison.area_basis])}</p>'
    )
    compliance = tables["compliance"]
    exhaustion = tables["exhaustion"]
    targets = tables["targets"]
    kpis = []
    for name in comparison.scenarios:
        mine = targets[targets["scenario"] == name] if "met" in targets.columns else targets.iloc[:0]
        met = int(mine["met"].fillna(False).astype(bool).sum()) if len(mine) else 0
        ok = compliance[compliance["scenario"] == name]
        violations = int(ok["violations"].sum()) if len(ok) else 0
        ex = exhaustion[exhaustion["scenario"] == name]["exhaustion_year"].dropna()
        runs_out = str(int(ex.max())) if len(ex) and len(ex) == (exhaustion["scenario"] == name).sum() else "beyond horizon"
        kpis.append(f'<div class="kpi">{esc(name)}<b>{met}/{len(mine)}</b>targets met<b>{violations}</b>violations<b>{esc(runs_out)}</b>land runs out</div>')
    parts.append("<section><h2>Summary 概要</h2>" + "".join(kpis) + "</section>")
    if len(tables["scenarios"]):
        parts.append("<section><h2>Scenarios 情景</h2>" + _html_table(tables["scenarios"]) + "</section>")
    parts.append("<section><h2>Targets 目标 — met / missed</h2>" + _html_table(targets, met_column="met") + "</section>")
    parts.append("<section><h2>Indicators 指标</h2>" + _html_table(tables["indicators"]) + "</section>")
    if len(tables["differences"]):
        changed = tables["differences"][tables["differences"]["difference"].fillna(0).abs() > 1e-9]
        parts.append("<section><h2>Differences from the base 与基准方案的差异</h2>" + _html_table(changed) + "</section>")
    parts.append(
        f'<section><h2>Land consumption and remaining land 用地消耗与剩余土地</h2><img alt="land consumption per year" src="{_png(_consumption_chart(tables["consumption"]))}"><img alt="remaining land until exhaustion" src="{_png(plot_timeline(tables["timeline"], exhaustion=exhaustion))}">'
    )
    parts.append(_html_table(exhaustion) + "</section>")
    if maps:
        parts.append("<section><h2>Maps 地图</h2>")
        for map_title, page, note in maps:
            if page is None:
                parts.append(f'<h3>{esc(map_title)}</h3><p class="note">{esc(note)}</p>')
            else:
                parts.append(f'<h3>{esc(map_title)}</h3><iframe title="{esc(map_title)}" sandbox="allow-scripts" srcdoc="{esc(page)}"></iframe>')
        parts.append("</section>")
    parts.append(
        "<section><h2>Compliance 合规检查</h2>"
        + _html_table(compliance, met_column="compliant")
        + _html_table(tables["findings"])
        + _html_table(tables["violations"], limit=200)
        + "</section>"
    )
    parts.append("<section><h2>Data sources and assumptions 数据来源与假设</h2>" + _html_table(tables["sources"]) + "</section>")
    parts.append("</body></html>")
    # the map frames (srcdoc) inherit the report's policy: it allows their scripts and styles too
    frames = [_html.policy_of(page) for _, page, _ in maps if page is not None]
    allowed = {kind: [h for f in frames for h in f.get(kind, []) if h.startswith("'sha256-")] for kind in ("script-src", "style-src")}
    document = _html.with_csp("".join(parts), trusted=f"<style>{_CSS}</style>", scripts=allowed["script-src"], styles=allowed["style-src"])
    path = Path(path)
    with atomic_path(path, suffix=".tmp.html") as tmp:
        tmp.write_text(document, encoding="utf-8")
    return path


# -- one call -----------------------------------------------------------------------------------
@follows_data
def write_report(
    plan: Plan,
    path: str | Path,
    *,
    scenarios: Sequence[str] = (),
    years: Sequence[int | None] | None = None,
    by: Level = "zone",
    maps: Sequence[str] = REPORT_MAP_KINDS,
    progress: bool | None = None,
) -> dict[str, Any]:
    """Compare ``plan`` with its stored ``scenarios`` and write the report to ``path``.

    Parameters
    ----------
    plan
        The base plan (its GeoPackage holds the scenarios).
    path
        ``.html`` (self-contained, offline) or ``.xlsx`` (one sheet per table).
    scenarios
        Names of stored scenarios to include (the base is always included).
    years
        Years to judge (default: the plan as it stands).
    by
        Grouping level of indicators and timelines.
    maps
        Map kinds embedded in the HTML report.
    progress
        Progress bar (None: on a terminal only).

    Returns
    -------
    dict
        The report in its JSON form (:func:`report_json`), e.g. for ``--json``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from zoneplan import datasets
    >>> path = Path(tempfile.mkdtemp()) / "report.html"
    >>> data = write_report(datasets.load("zhangdian"), path, maps=())
    >>> path.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>"), sorted(data)[:3]
    (True, ['area_basis', 'by', 'plan'])
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".xlsx"):
        raise InputError("report must be .html or .xlsx", file=path, rule="report-format")
    plans = apply_scenarios(plan, list(scenarios), progress=progress)
    comparison = compare(plans, years=years, by=by, progress=progress)
    tables = report_tables(comparison, plan)
    if suffix == ".xlsx":
        write_excel(tables, path)
    else:
        judged = next((y for y in comparison.years if y is not None), None)
        write_html(tables, path, plan=plan, comparison=comparison, maps=_maps(plans, kinds=maps, year=judged, comparison=comparison, progress=progress))
    return report_json(tables, plan=plan, comparison=comparison)
