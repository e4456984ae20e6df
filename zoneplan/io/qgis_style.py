"""QGIS styles for land-use layers.

:func:`landuse_style_qml` writes a QGIS style document (QML) that colours polygons by their 2023
用地用海 code with the standard planning palette (:func:`zoneplan.landuse.classes`), one category
per code, labelled ``"<code> <name_zh>"`` in the legend. :func:`layer_styles_frame` turns such
documents into rows of the ``layer_styles`` table through which QGIS finds a GeoPackage layer's
default style, so a plan opens in QGIS already coloured.

The QML uses the ``<prop k=… v=…>`` symbol-layer properties that every QGIS 3 release reads.
Categories match field values exactly, so the layer should hold normalised codes
(:func:`zoneplan.landuse.normalise_codes`); values without a category, and empty values, fall
into a final "all other values" category (QGIS's category with an empty value) drawn with red
hatching, which makes unknown and missing codes visible.
"""

from __future__ import annotations

import contextlib
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import pandas as pd

from zoneplan.landuse import classes

__all__ = [
    "LAYER_STYLES_COLUMNS",
    "ZONEPLAN_STYLE",
    "boundary_style_qml",
    "control_lines_style_qml",
    "geometry_kind",
    "groups_style_qml",
    "landuse_style_qml",
    "layer_styles_frame",
    "phases_style_qml",
    "plan_styles",
    "rule_style_qml",
    "style_rows",
    "user_styles",
]

LAYER_STYLES_COLUMNS: Final[tuple[str, ...]] = (
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
)
"""Columns of QGIS's ``layer_styles`` table, in QGIS's order (its ``id`` key is left to SQLite)."""

#: Descriptions of the ``layer_styles`` rows zoneplan writes start with this; a write replaces only
#: those rows, never a style a user saved.
ZONEPLAN_STYLE: Final = "zoneplan"
_DOCTYPE: Final = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
_QGIS_VERSION: Final = "3.28.0-Firenze"
#: QgsWkbTypes::GeometryType, checked by QGIS when a style is applied.
_GEOMETRY_TYPES: Final = {"point": "0", "line": "1", "polygon": "2"}
_OUTLINE: Final = "110,110,110,255"
_OUTLINE_WIDTH_MM: Final = "0.1"
_OTHER_COLOR: Final = "230,0,0,255"
_OTHER_LABEL: Final = "其他或缺失 / other or missing code"


def _rgba(hex_color: str, alpha: int = 255) -> str:
    return ",".join(str(int(hex_color[i : i + 2], 16)) for i in (1, 3, 5)) + f",{alpha}"


def _fill_symbol(name: str, color: str, *, style: str = "solid", outline: str = _OUTLINE) -> ET.Element:
    symbol = ET.Element("symbol", {"type": "fill", "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"})
    layer = ET.SubElement(symbol, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"})
    props = {
        "color": color,
        "style": style,
        "outline_color": outline,
        "outline_style": "solid",
        "outline_width": _OUTLINE_WIDTH_MM,
        "outline_width_unit": "MM",
        "joinstyle": "bevel",
    }
    for key, value in props.items():
        ET.SubElement(layer, "prop", {"k": key, "v": value})
    return symbol


def _line_symbol(name: str, color: str, *, width_mm: str, dash: bool = False) -> ET.Element:
    symbol = ET.Element("symbol", {"type": "line", "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"})
    layer = ET.SubElement(symbol, "layer", {"class": "SimpleLine", "enabled": "1", "locked": "0", "pass": "0"})
    props = {
        "line_color": color,
        "line_style": "dash" if dash else "solid",
        "line_width": width_mm,
        "line_width_unit": "MM",
        "capstyle": "square",
        "joinstyle": "bevel",
    }
    for key, value in props.items():
        ET.SubElement(layer, "prop", {"k": key, "v": value})
    return symbol


def _marker_symbol(name: str, color: str) -> ET.Element:
    symbol = ET.Element("symbol", {"type": "marker", "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"})
    layer = ET.SubElement(symbol, "layer", {"class": "SimpleMarker", "enabled": "1", "locked": "0", "pass": "0"})
    for key, value in {
        "color": color,
        "name": "circle",
        "size": "2.6",
        "size_unit": "MM",
        "outline_color": "35,35,35,255",
        "outline_width": "0.2",
        "outline_width_unit": "MM",
    }.items():
        ET.SubElement(layer, "prop", {"k": key, "v": value})
    return symbol


def _boundary_symbol(name: str, color: str, *, width_mm: str, dash: bool = False, fill: str | None = None, hatch: str | None = None) -> ET.Element:
    """An outline (solid or dashed) over an optional fill or hatching: boundaries and control lines."""
    symbol = _fill_symbol(name, fill or color, style=hatch or ("solid" if fill else "no"), outline=color)
    layer = symbol.find("layer")
    assert layer is not None  # _fill_symbol always writes one symbol layer
    for prop in layer.findall("prop"):
        if prop.get("k") == "outline_width":
            prop.set("v", width_mm)
        if prop.get("k") == "outline_style" and dash:
            prop.set("v", "dash")
    return symbol


def _symbol_for(geometry: str, name: str, color: str) -> ET.Element:
    if geometry == "line":
        return _line_symbol(name, _rgba(color), width_mm="0.8")
    if geometry == "point":
        return _marker_symbol(name, _rgba(color))
    return _fill_symbol(name, _rgba(color, 150), outline=_rgba(color))


def _document(renderer: ET.Element, geometry: str = "polygon") -> str:
    root = ET.Element("qgis", {"version": _QGIS_VERSION, "styleCategories": "Symbology"})
    root.append(renderer)
    ET.SubElement(root, "layerGeometryType").text = _GEOMETRY_TYPES[geometry]
    ET.indent(root)
    return f"{_DOCTYPE}\n{ET.tostring(root, encoding='unicode')}\n"


def _categorized(field: str, entries: Iterable[tuple[str, str, ET.Element]]) -> ET.Element:
    """A ``categorizedSymbol`` renderer on ``field``: (value, label, symbol) per category, in order."""
    renderer = ET.Element(
        "renderer-v2",
        {"type": "categorizedSymbol", "attr": field, "symbollevels": "0", "enableorderby": "0", "forceraster": "0", "referencescale": "-1"},
    )
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for number, (value, label, symbol) in enumerate(entries):
        ET.SubElement(categories, "category", {"symbol": str(number), "value": value, "label": label, "render": "true"})
        symbol.set("name", str(number))
        symbols.append(symbol)
    return renderer


def _single(symbol: ET.Element) -> ET.Element:
    renderer = ET.Element("renderer-v2", {"type": "singleSymbol", "symbollevels": "0", "enableorderby": "0", "forceraster": "0", "referencescale": "-1"})
    symbol.set("name", "0")
    ET.SubElement(renderer, "symbols").append(symbol)
    return renderer


def landuse_style_qml(*, field: str = "landuse_code", codes: Iterable[str] | None = None) -> str:
    """A QGIS style (QML) colouring polygons by 2023 用地用海 code.

    Parameters
    ----------
    field
        Attribute holding the 2023 code.
    codes
        Codes to give a category, e.g. the distinct codes of a layer; values that are not 2023
        codes are skipped (they fall into the "all other values" category). ``None`` gives every
        class of the classification (levels 1–3, 175 categories).

    Returns
    -------
    str
        A QML document with a ``categorizedSymbol`` renderer: one solid-fill category per code in
        classification order, filled with the palette colour, outlined in thin (0.1 mm) grey and
        labelled ``"<code> <name_zh>"``, then a red-hatched category for all other and missing
        values.

    Examples
    --------
    >>> qml = landuse_style_qml(codes=["100101", "0701"])
    >>> 'value="100101" label="100101 一类工业用地"' in qml
    True
    >>> '<prop k="color" v="187,150,116,255" />' in qml
    True
    """
    table = classes()
    if codes is not None:
        wanted = pd.Series(list(codes), dtype="string").dropna()
        table = table[table.index.isin(wanted)]
    entries = [(code, f"{code} {name}", _fill_symbol("", _rgba(color))) for code, name, color in zip(table.index, table["name_zh"], table["color"])]
    entries.append(("", _OTHER_LABEL, _fill_symbol("", _OTHER_COLOR, style="b_diagonal", outline=_OTHER_COLOR)))
    return _document(_categorized(field, entries))


def boundary_style_qml(color: str, *, width_mm: float = 0.6, dash: bool = False) -> str:
    """A QML drawing polygons as outlines only (zone boundaries 四至, districts), ``color`` as ``#RRGGBB``.

    Examples
    --------
    >>> qml = boundary_style_qml("#D7191C", width_mm=0.8, dash=True)
    >>> '<prop k="style" v="no" />' in qml and '<prop k="outline_style" v="dash" />' in qml
    True
    """
    return _document(_single(_boundary_symbol("0", _rgba(color), width_mm=f"{width_mm:g}", dash=dash)))


def control_lines_style_qml(kinds: Iterable[str] | None = None, *, field: str = "kind") -> str:
    """A QML for the three control lines (三条控制线), one category per kind present.

    生态保护红线 red-line areas are hatched and outlined in green, 永久基本农田 in yellow, and
    城镇开发边界 is a dashed purple boundary (no fill), after the zoneplan map colours
    (:data:`zoneplan.maps.style.CONTROL_LINE_COLORS`); other kinds fall into a grey category.

    Examples
    --------
    >>> qml = control_lines_style_qml(["basic_farmland", "urban_development_boundary"])
    >>> ('label="永久基本农田 basic_farmland"' in qml, 'value="ecological_redline"' in qml)
    (True, False)
    """
    from zoneplan.layers import CONTROL_LINE_KINDS
    from zoneplan.maps.style import CONTROL_LINE_COLORS

    present = list(CONTROL_LINE_KINDS) if kinds is None else [k for k in CONTROL_LINE_KINDS if k in set(kinds)]
    entries = []
    for kind in present:
        color = _rgba(CONTROL_LINE_COLORS[kind])
        if kind == "urban_development_boundary":
            symbol = _boundary_symbol("", color, width_mm="0.8", dash=True)
        else:
            symbol = _boundary_symbol("", color, width_mm="0.6", fill=color, hatch="b_diagonal" if kind == "ecological_redline" else "f_diagonal")
        entries.append((kind, f"{CONTROL_LINE_KINDS[kind]} {kind}", symbol))
    entries.append(("", "其他 / other", _boundary_symbol("", "128,128,128,255", width_mm="0.4")))
    return _document(_categorized(field, entries))


def phases_style_qml(phases: pd.DataFrame, *, field: str = "phase_id") -> str:
    """A QML colouring phases by schedule (earliest darkest, as on zoneplan maps), labelled ``"一期 2020–2023"``.

    Examples
    --------
    >>> import pandas as pd
    >>> qml = phases_style_qml(pd.DataFrame({"phase_id": ["P2", "P1"], "phase_no": [2, 1], "name": ["二期", "一期"], "start_year": [2024, 2020], "end_year": [2027, 2023]}))
    >>> qml.index('value="P1" label="一期 2020–2023"') < qml.index('value="P2"')
    True
    """
    from zoneplan.maps.style import schedule_colors, schedule_order

    colors = schedule_colors(phases)
    entries = []
    for i in schedule_order(phases):
        row = phases.loc[i]
        years = "–".join(str(row.get(k)) for k in ("start_year", "end_year") if pd.notna(row.get(k)))
        label = " ".join(str(v) for v in (row.get("name") if pd.notna(row.get("name")) else row[field], years) if v)
        entries.append((str(row[field]), label, _boundary_symbol("", _rgba(colors.loc[i]), width_mm="0.5", fill=_rgba(colors.loc[i], 140))))
    return _document(_categorized(field, entries))


def groups_style_qml(groups: pd.DataFrame, *, field: str, label_field: str = "name") -> str:
    """A QML giving each district or park (板块, 产业园) its own light fill and a thin outline, labelled by name.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> qml = groups_style_qml(datasets.load("linqing").parks, field="park_id")
    >>> qml.count("<category "), "categorizedSymbol" in qml
    (8, True)
    """
    from zoneplan.maps.style import qualitative

    colors = qualitative(len(groups), cmap="Pastel1" if field == "district_id" else "Set3")
    entries = []
    for (_, row), color in zip(groups.iterrows(), colors):
        label = str(row[label_field]) if label_field in groups and pd.notna(row[label_field]) else str(row[field])
        rgba = _rgba(color, 160)
        entries.append((str(row[field]), label, _boundary_symbol("", "90,90,90,255", width_mm="0.4", fill=rgba)))
    return _document(_categorized(field, entries))


def rule_style_qml(color: str, *, geometry: str = "polygon") -> str:
    """A single-symbol QML for one rule's evidence layer (a conflict geometry per finding).

    ``geometry`` is ``polygon``, ``line`` or ``point``; ``color`` a ``#RRGGBB`` colour, e.g. the
    rule's colour on compliance maps (:data:`zoneplan.maps.style.VIOLATION_COLORS`).

    Examples
    --------
    >>> qml = rule_style_qml("#E31A1C", geometry="line")
    >>> qml.startswith("<!DOCTYPE qgis"), 'type="line"' in qml
    (True, True)
    """
    return _document(_single(_symbol_for(geometry, "0", color)), geometry)


def geometry_kind(geometry_types: Iterable[str]) -> str:
    """``polygon``, ``line`` or ``point`` for the geometry types of a layer (polygon when mixed or empty).

    Examples
    --------
    >>> geometry_kind(["MultiPolygon", "Polygon"]), geometry_kind(["LineString"]), geometry_kind([])
    ('polygon', 'line', 'polygon')
    """
    kinds = {t.replace("Multi", "") for t in geometry_types if t}
    return {"LineString": "line", "Point": "point"}.get(kinds.pop(), "polygon") if len(kinds) == 1 else "polygon"


def plan_styles(layers: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """A default QGIS style for every layer of a plan.

    Layers with a ``landuse_code`` column (``parcels`` …) are coloured by land use
    (:func:`landuse_style_qml`, the codes present); ``zones`` are dashed red boundaries;
    ``districts`` and ``parks`` light fills per feature; ``phases`` coloured by schedule;
    ``control_lines`` by kind; any other layer one grey symbol.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> styles = plan_styles(datasets.load("linqing").layers)
    >>> sorted(styles)
    ['admin_boundaries', 'control_lines', 'districts', 'parcels', 'parks', 'zones']
    """
    from zoneplan.maps.style import ZONE_COLOR

    styles = {}
    for name, gdf in layers.items():
        if "landuse_code" in gdf.columns:
            styles[name] = landuse_style_qml(codes=sorted(gdf["landuse_code"].dropna().unique()))
        elif name == "zones":
            styles[name] = boundary_style_qml(ZONE_COLOR, width_mm=0.8, dash=True)
        elif name in ("districts", "parks") and f"{name[:-1]}_id" in gdf.columns:
            styles[name] = groups_style_qml(gdf, field=f"{name[:-1]}_id")
        elif name == "phases" and "phase_id" in gdf.columns:
            styles[name] = phases_style_qml(gdf)
        elif name == "control_lines" and "kind" in gdf.columns:
            styles[name] = control_lines_style_qml(gdf["kind"].dropna().unique())
        else:
            geometry = geometry_kind(gdf.geometry.geom_type.dropna().unique()) if hasattr(gdf, "geometry") else "polygon"
            styles[name] = rule_style_qml("#808080", geometry=geometry)
    return styles


def layer_styles_frame(
    styles: Mapping[str, str],
    *,
    geometry_column: str = "geom",
    description: str = "zoneplan default style",
    update_time: datetime | None = None,
    not_default: Iterable[str] = (),
) -> pd.DataFrame:
    """Rows of a GeoPackage's QGIS ``layer_styles`` table, one default style per layer.

    Parameters
    ----------
    styles
        Layer (table) name → QML document, e.g. from :func:`landuse_style_qml`.
    geometry_column
        Geometry column of the layers (GDAL writes ``geom`` in GeoPackages).
    description
        Text shown in QGIS's style manager.
    update_time
        Time stamp of the styles; now by default. A naive datetime is taken as UTC.
    not_default
        Layers whose style is stored but not made their default (a user's style is).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LAYER_STYLES_COLUMNS`: empty catalog, schema, SLD, owner and ui;
        ``f_table_name`` and ``styleName`` set to the layer name; ``useAsDefault`` True;
        ``update_time`` a UTC timestamp.

    Examples
    --------
    >>> frame = layer_styles_frame({"parcels": landuse_style_qml()})
    >>> frame[["f_table_name", "f_geometry_column", "styleName", "useAsDefault"]].to_numpy().tolist()
    [['parcels', 'geom', 'parcels', True]]
    """
    stamp = pd.Timestamp(update_time or datetime.now(UTC))
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    names = list(styles)
    text = [column for column in LAYER_STYLES_COLUMNS if column not in ("useAsDefault", "update_time")]
    return pd.DataFrame(
        {
            "f_table_catalog": "",
            "f_table_schema": "",
            "f_table_name": names,
            "f_geometry_column": geometry_column,
            "styleName": names,
            "styleQML": [styles[name] for name in names],
            "styleSLD": "",
            "useAsDefault": [name not in set(not_default) for name in names],
            "description": description,
            "owner": "",
            "ui": "",
            "update_time": pd.Series(stamp, index=range(len(names)), dtype="datetime64[ms, UTC]"),
        },
        columns=list(LAYER_STYLES_COLUMNS),
    ).astype(dict.fromkeys(text, "str"))


def user_styles(path: Path) -> pd.DataFrame:
    """The ``layer_styles`` rows of GeoPackage ``path`` that zoneplan did not write (a user's QGIS styles).

    Returns an empty frame (columns :data:`LAYER_STYLES_COLUMNS`) when the file or the table is missing.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> len(user_styles(datasets.get_path("linqing")))  # the bundled plans hold only zoneplan's own styles
    0
    """
    path = Path(path)
    empty = layer_styles_frame({})
    if not path.exists():
        return empty
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'layer_styles'").fetchone() is None:
            return empty
        present = {r[1].lower(): r[1] for r in con.execute("PRAGMA table_info(layer_styles)")}
        columns = [c for c in LAYER_STYLES_COLUMNS if c.lower() in present]
        rows = pd.read_sql_query(
            f"SELECT {', '.join(chr(34) + present[c.lower()] + chr(34) for c in columns)} FROM layer_styles WHERE coalesce(description, '') NOT LIKE ?",
            con,
            params=(ZONEPLAN_STYLE + "%",),
        )
    rows.columns = columns
    rows = rows.reindex(columns=list(LAYER_STYLES_COLUMNS))
    rows["useAsDefault"] = rows["useAsDefault"].fillna(0).astype(int).astype(bool)
    rows["update_time"] = pd.to_datetime(rows["update_time"], utc=True, errors="coerce").astype("datetime64[ms, UTC]")
    text = [c for c in LAYER_STYLES_COLUMNS if c not in ("useAsDefault", "update_time")]
    rows[text] = rows[text].fillna("").astype(str)
    return rows


def style_rows(styles: Mapping[str, str], *, keep: pd.DataFrame) -> pd.DataFrame:
    """``layer_styles`` rows: the user's rows ``keep``, then zoneplan's ``styles``.

    A layer for which the user chose a default style keeps it as its default; zoneplan's style is
    then stored beside it, not as the default.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("zhangdian")
    >>> rows = style_rows(plan_styles(plan.layers), keep=user_styles(datasets.get_path("zhangdian")))
    >>> sorted(rows["f_table_name"]) == sorted(plan.layers)
    True
    """
    user_defaults = keep.loc[keep["useAsDefault"].astype(bool), "f_table_name"]
    ours = layer_styles_frame(styles, not_default=user_defaults)
    return pd.concat([keep, ours], ignore_index=True) if len(keep) else ours
