"""Attribute tables (Excel, CSV) joined onto plan layers: tax, output and investment per parcel.

Zones keep enterprise figures in spreadsheets — one row per parcel or enterprise, Chinese headers
with the unit in brackets (``税收（万元）``, ``用地面积(亩)``), often under a title row. A table is
attached to a layer by a key (``地块编号`` ↔ ``parcel_id``): it adds or updates columns and never
touches geometry.

* **Header row** — the first row that holds the key column's name (title rows above it are
  skipped).
* **Column names** — Chinese headers are recognised as for vector files
  (:data:`zoneplan.io.vector.KNOWN_FIELDS`, plus :data:`TABLE_FIELDS`); others keep their header.
* **Units** — a unit in brackets converts the values to zoneplan's base units and names the
  column after it: 万元/亿元/元 → ``_yuan``, 亩/公顷/平方米 → ``_m2`` (1 亩 = 10000/15 m²).
* **Keys** — duplicate keys in the table are refused (which row would win?); keys with no
  feature, and features with no row, are reported.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from zoneplan._numbers import column_unit, parse_numbers
from zoneplan.errors import InputError

__all__ = ["TABLE_FIELDS", "UNITS", "JoinResult", "join_table", "read_table"]

#: Chinese headers (without their unit) of enterprise tables → zoneplan column stems.
TABLE_FIELDS: dict[str, str] = {
    "税收": "tax",
    "税收总额": "tax",
    "纳税额": "tax",
    "固定资产投资": "investment",
    "固定资产投资额": "investment",
    "投资额": "investment",
    "总投资": "investment",
    "产值": "output",
    "工业产值": "output",
    "工业总产值": "output",
    "营业收入": "revenue",
    "建筑面积": "floor_area",
    "总建筑面积": "floor_area",
    "基底面积": "footprint",
    "建筑基底面积": "footprint",
    "用地面积": "land_area",
    "从业人员": "employees",
}

#: Unit written in a header → (column suffix, factor to the base unit).
UNITS: dict[str, tuple[str, float]] = {
    "亿元": ("_yuan", 1e8),
    "万元": ("_yuan", 1e4),
    "元": ("_yuan", 1.0),
    "亩": ("_m2", 10_000 / 15),
    "公顷": ("_m2", 10_000.0),
    "HA": ("_m2", 10_000.0),
    "平方米": ("_m2", 1.0),
    "㎡": ("_m2", 1.0),
    "M2": ("_m2", 1.0),
    "M²": ("_m2", 1.0),
}

_UNIT = re.compile(r"^(?P<name>.*?)\s*[(（\[]\s*(?P<unit>[^)）\]]+?)\s*[)）\]]\s*$")


def _raw(path: Path, sheet: str | None) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            return pd.read_excel(path, sheet_name=sheet or 0, header=None, dtype=object)
        if suffix == ".csv":
            try:
                return pd.read_csv(path, header=None, dtype=str, encoding="utf-8-sig", keep_default_na=False)
            except UnicodeDecodeError:
                return pd.read_csv(path, header=None, dtype=str, encoding="gb18030", keep_default_na=False)
    except ValueError as exc:  # an unknown sheet name, among others
        raise InputError(f"cannot read the table: {exc}", file=path, rule="table") from None
    raise InputError(f"unsupported table format {suffix!r}; expected .xlsx or .csv", file=path, rule="table")


def read_table(path: str | os.PathLike, *, key: str, sheet: str | None = None) -> pd.DataFrame:
    """Read an Excel sheet or CSV file whose header row holds ``key``.

    Parameters
    ----------
    path
        ``.xlsx`` or ``.csv`` (UTF-8, or GB18030 when not UTF-8).
    key
        The key column's header: the header row is the first row that holds it.
    sheet
        Sheet of a workbook (default: the first).

    Returns
    -------
    pandas.DataFrame
        Headers stripped, rows below the header, blank rows dropped, values as read.

    Examples
    --------
    >>> import tempfile
    >>> csv = Path(tempfile.mkdtemp()) / "tax.csv"
    >>> _ = csv.write_text(chr(10).join(["临清经济开发区 2023 年亩均税收,", "地块编号,税收（万元）", "LQC-0127,12.5", ""]), encoding="utf-8")  # a title row above the header, as bureaus send them
    >>> table = read_table(csv, key="地块编号")
    >>> list(table.columns), table.values.tolist()
    (['地块编号', '税收（万元）'], [['LQC-0127', '12.5']])
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path)
    raw = _raw(path, sheet)
    text = raw.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip())
    rows = text.index[(text == key).any(axis=1)]
    if not len(rows):
        raise InputError(f"no header row with a column {key!r}; the first row reads {[v for v in text.iloc[0] if v][:12]}", file=path, rule="table-key")
    header = text.loc[rows[0]].tolist()
    body = raw.loc[rows[0] + 1 :].copy()
    body.columns = [h or f"column_{i + 1}" for i, h in enumerate(header)]
    body = body.loc[:, [h != "" for h in header]]
    blank = text.loc[body.index, [h != "" for h in header]].eq("").all(axis=1)
    return body[~blank].reset_index(drop=True)


def _numbers(values: pd.Series, col: str, *, unit: str | None) -> pd.Series:
    """A column of the table read as numbers (``12,000``, ``二〇一九`` …); a value that is no number is refused."""
    numbers, unreadable = parse_numbers(values, unit=unit)
    if unreadable.any():
        row = int(unreadable.to_numpy().argmax())
        raise InputError(f"column {col!r} holds {values.iloc[row]!r}, not a number", feature=f"row {row + 1} below the header", rule="table-value")
    return numbers


def _rename(table: pd.DataFrame, key: str) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """Recognised names and units: returns the converted table, old → new names and notes."""
    from zoneplan.io.vector import KNOWN_FIELDS, _numeric_columns

    known = {k.upper(): v for k, v in KNOWN_FIELDS.items()}
    out: dict[str, pd.Series] = {}
    renamed: dict[str, str] = {}
    notes: list[str] = []
    for col in table.columns:
        if col == key:
            out[col] = table[col]
            continue
        match = _UNIT.match(col)
        name, unit = (match["name"], match["unit"]) if match else (col, None)
        new, values = col, table[col]
        if unit is not None and unit.upper() in UNITS:
            suffix, factor = UNITS[unit.upper()]
            numbers = _numbers(values, col, unit=None)
            stem = TABLE_FIELDS.get(name) or known.get(name.upper(), "").removesuffix("_m2").removesuffix("_wan").removesuffix("_yuan") or name
            new, values = f"{stem}{suffix}", numbers * factor
            if factor != 1:
                notes.append(f"{col} × {factor:g} → {new}")
        else:
            new = known.get(col.upper()) or TABLE_FIELDS.get(name, col)
            if new in _numeric_columns():
                values = _numbers(values, col, unit=column_unit(new))
            else:
                numbers, unreadable = parse_numbers(values)
                text = values.astype("string").str.strip().replace("", pd.NA)
                values = numbers if numbers.notna().any() and not unreadable.any() else text  # numbers only → numbers
        if new in out:
            raise InputError(f"columns {renamed.get(new, new)!r} and {col!r} both give {new}", rule="table-columns")
        out[new] = values
        if new != col:
            renamed[col] = new
    return pd.DataFrame(out), renamed, notes


@dataclass
class JoinResult:
    """The layer with the table's columns, and what the join found.

    Examples
    --------
    >>> import tempfile
    >>> from zoneplan import datasets
    >>> csv = Path(tempfile.mkdtemp()) / "tax.csv"
    >>> _ = csv.write_text("地块编号,税收（万元）,企业名称\\nLQC-0127,12.5,临清纺织\\nLQC-0128,3,某物流\\n", encoding="utf-8")
    >>> result = join_table(datasets.load("linqing").parcels, csv, on=("地块编号", "parcel_id"))
    >>> result.renamed, result.updated, result.matched, result.unmatched_keys
    ({'税收（万元）': 'tax_yuan', '企业名称': 'enterprise'}, ['tax_yuan', 'enterprise'], 2, [])
    >>> result.features_without_row, result.notes
    (1085, ['税收（万元） × 10000 → tax_yuan'])
    """

    data: gpd.GeoDataFrame
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    matched: int = 0
    unmatched_keys: list[str] = field(default_factory=list)
    features_without_row: int = 0
    notes: list[str] = field(default_factory=list)


def join_table(layer: gpd.GeoDataFrame, path: str | os.PathLike, *, on: tuple[str, str], sheet: str | None = None, layer_name: str | None = None) -> JoinResult:
    """Join an attribute table onto ``layer`` by key; geometry is never touched.

    Parameters
    ----------
    layer
        The plan layer.
    path
        ``.xlsx`` or ``.csv`` table.
    on
        ``(table column, layer column)``, e.g. ``("地块编号", "parcel_id")``.
    sheet
        Sheet of a workbook.
    layer_name
        For messages.

    Returns
    -------
    JoinResult
        The layer with added and updated columns (rows without a table row keep their values),
        and the keys that matched no feature.

    Raises
    ------
    zoneplan.errors.InputError
        When the key column is missing, a key repeats in the table, or a value in a unit column
        is not a number.

    Examples
    --------
    >>> import tempfile
    >>> from zoneplan import Plan, datasets
    >>> parcels = Plan.read(datasets.get_path("linqing"))["parcels"]
    >>> csv = Path(tempfile.mkdtemp()) / "tax.csv"
    >>> _ = csv.write_text(f"地块编号,税收（万元）\\n{parcels['parcel_id'].iloc[0]},12.5\\nNO-SUCH,1\\n", encoding="utf-8")
    >>> r = join_table(parcels, csv, on=("地块编号", "parcel_id"))
    >>> float(r.data["tax_yuan"].iloc[0]), r.unmatched_keys
    (125000.0, ['NO-SUCH'])
    """
    path = Path(path)
    source_key, layer_key = on
    if layer_key not in layer.columns:
        raise InputError(f"layer has no column {layer_key!r} to join on", file=path, layer=layer_name, rule="table-key")
    try:
        table, renamed, notes = _rename(read_table(path, key=source_key, sheet=sheet), source_key)
    except InputError as exc:
        raise InputError(exc.message, file=path, layer=layer_name, feature=exc.feature, rule=exc.rule) from None
    keys = table[source_key].astype("string").str.strip()
    twice = keys[keys.duplicated(keep=False) & keys.notna()]
    if len(twice):
        raise InputError(
            f"key(s) repeated in the table: {', '.join(sorted(twice.unique())[:12])}",
            file=path,
            layer=layer_name,
            feature=str(twice.iloc[0]),
            rule="table-duplicate-key",
        )
    table = table.drop(columns=source_key).set_axis(keys.to_numpy())
    table = table[table.index.notna()]
    layer_keys = layer[layer_key].astype("string").str.strip()
    unmatched = [str(k) for k in table.index if k not in set(layer_keys.dropna())]
    rows = table.reindex(layer_keys.to_numpy())
    rows.index = layer.index
    have = rows.notna().any(axis=1)
    out = layer.copy()
    added, updated = [], []
    for col in table.columns:
        if col == out.geometry.name:
            raise InputError(f"the table has a column {col!r}, the layer's geometry", file=path, rule="table-columns")
        if col in out.columns:
            out[col] = (
                rows[col].where(have, out[col])
                if not pd.api.types.is_numeric_dtype(rows[col])
                else pd.to_numeric(rows[col]).where(have, pd.to_numeric(out[col], errors="coerce"))
            )
            updated.append(col)
        else:
            out[col] = rows[col]
            added.append(col)
    return JoinResult(out, added, updated, renamed, int(have.sum()), unmatched, int((~have).sum()), notes)
