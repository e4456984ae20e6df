"""Evidence of a compliance check: a GeoPackage for QGIS and an Excel workbook for the bureau.

GeoPackage (:func:`write_evidence`)
    One layer per rule with violations, named after the rule (``ecological_redline_overlap``,
    ``env_adjacency`` …), holding the conflict geometry and every finding column; rules whose
    findings have no geometry (``quota_exceeded``) are attribute tables. Each rule's layer opens in
    QGIS in the rule's colour on compliance maps (``layer_styles``). Also the tables
    ``summary`` (rule, count, area_mu, cannot_judge), ``cannot_judge``, ``settings`` (the
    tolerances and limits used, and the ``area_basis`` of every area) and the detail tables
    (``quota_balance``).
Workbook (:func:`write_excel`)
    Sheet ``summary`` first (with each rule's title and area basis), then one sheet per rule with
    violations (no geometry; areas in m² and mu), ``cannot_judge``, the detail tables and
    ``settings``. Written for people by :func:`zoneplan.io.workbook.write_sheets`: Chinese +
    English headers with units (``面积 area (亩 mu; 平面 planar)`` — a rule's sheet names the area
    basis of its areas, :meth:`~zoneplan.compliance.findings.Findings.basis_of`), each rule's title
    (``规则名称 rule title``) beside its id, numbers stored to 6 decimals and shown rounded by unit
    (Excel number formats), sheet names cut to Excel's 31 characters and unique (the title
    column names the rule in full).

Both writes are atomic (:func:`zoneplan.io.gpkg.atomic_path`): a failed write leaves an existing
file untouched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from zoneplan.io.gpkg import GPKG_OPTIONS, STYLE_TABLE, atomic_path
from zoneplan.io.qgis_style import geometry_kind, rule_style_qml, style_rows, user_styles
from zoneplan.maps.style import rule_colors

if TYPE_CHECKING:
    from zoneplan.compliance.findings import Findings

__all__ = ["settings_table", "write_evidence", "write_excel"]


def settings_table(findings: Findings) -> pd.DataFrame:
    """The settings of the check as ``setting, value`` text rows (lists and mappings as JSON), the area basis first.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.compliance import check
    >>> table = settings_table(check(datasets.load("linqing")))
    >>> list(table.columns)[:3], len(table) > 10
    (['setting', 'value'], True)
    """
    rows = [(k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)) for k, v in findings.settings.items()]
    if findings.area_basis:
        rows.insert(0, ("area_basis", findings.area_basis))
    return pd.DataFrame(rows, columns=["setting", "value"], dtype="string")


def _tables(findings: Findings) -> dict[str, pd.DataFrame]:
    return {
        "summary": findings.summary,
        "cannot_judge": findings.cannot_judge,
        **dict(findings.tables.items()),
        "settings": settings_table(findings),
    }


def write_evidence(findings: Findings, path: str | Path) -> Path:
    """Write the findings as a GeoPackage a reviewer can open in QGIS (see the module docstring).

    Parameters
    ----------
    findings
        The result of :func:`zoneplan.compliance.check`.
    path
        Target ``.gpkg``; replaced atomically if it exists.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pyogrio
    >>> from zoneplan import datasets
    >>> from zoneplan.compliance import check
    >>> path = write_evidence(check(datasets.load("linqing")), Path(tempfile.mkdtemp()) / "evidence.gpkg")
    >>> sorted(name for name, kind in pyogrio.list_layers(path) if kind)  # one layer per rule with geometry
    ['basic_farmland_overlap', 'ecological_redline_overlap', 'env_adjacency', 'idle_land', 'outside_urban_development_boundary', 'parcel_min_investment_intensity_wan_per_mu']
    """
    path = Path(path)
    violations = findings.violations
    colors = rule_colors(violations["rule"])
    spatial = {}
    with atomic_path(path) as tmp:
        for rule, rows in violations.groupby(violations["rule"].astype(str), sort=False):
            rows = rows.reset_index(drop=True)
            if shapely.is_missing(rows.geometry.values).all():
                pyogrio.write_dataframe(pd.DataFrame(rows.drop(columns=rows.geometry.name)), tmp, layer=rule, driver="GPKG", dataset_options=GPKG_OPTIONS)
            else:
                pyogrio.write_dataframe(
                    gpd.GeoDataFrame(rows, crs=violations.crs), tmp, layer=rule, driver="GPKG", promote_to_multi=True, dataset_options=GPKG_OPTIONS
                )
                spatial[rule] = rows.geometry
        for name, table in _tables(findings).items():
            pyogrio.write_dataframe(pd.DataFrame(table).reset_index(drop=True), tmp, layer=name, driver="GPKG", dataset_options=GPKG_OPTIONS)
        styles = {rule: rule_style_qml(colors[rule], geometry=geometry_kind(rows.geom_type.dropna().unique())) for rule, rows in spatial.items()}
        pyogrio.write_dataframe(style_rows(styles, keep=user_styles(path)), tmp, layer=STYLE_TABLE, driver="GPKG", dataset_options=GPKG_OPTIONS)
    return path


def write_excel(findings: Findings, path: str | Path) -> Path:
    """Write the findings as an Excel workbook for people, one sheet per rule (see the module docstring).

    Parameters
    ----------
    findings
        The result of :func:`zoneplan.compliance.check`.
    path
        Target ``.xlsx``; replaced atomically if it exists.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import openpyxl
    >>> from zoneplan import datasets
    >>> from zoneplan.compliance import check
    >>> path = write_excel(check(datasets.load("linqing")), Path(tempfile.mkdtemp()) / "findings.xlsx")
    >>> "quota_exceeded" in openpyxl.load_workbook(path, read_only=True).sheetnames
    True
    """
    from zoneplan.compliance.findings import rule_title
    from zoneplan.io.workbook import BASIS_LABELS, write_sheets

    def titled(frame: pd.DataFrame) -> pd.DataFrame:
        frame = pd.DataFrame(frame).reset_index(drop=True)
        frame.insert(frame.columns.get_loc("rule") + 1, "rule_title", frame["rule"].astype(str).map(rule_title))
        return frame

    violations = pd.DataFrame(findings.violations.drop(columns=findings.violations.geometry.name))
    summary = titled(findings.summary)
    summary["area_basis"] = summary["rule"].map(lambda r: BASIS_LABELS[findings.basis_of(r)])
    sheets: list[tuple[str, pd.DataFrame, str | None]] = [("summary", summary, None)]
    for rule, rows in violations.groupby(violations["rule"].astype(str), sort=False):
        sheets.append((str(rule), titled(rows), findings.basis_of(str(rule))))
    sheets.append(("cannot_judge", titled(findings.cannot_judge), None))
    sheets += [(name, table, findings.basis_of(name)) for name, table in findings.tables.items()]
    sheets.append(("settings", settings_table(findings), None))
    write_sheets(sheets, path)
    return Path(path)
