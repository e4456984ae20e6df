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

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Final

import pandas as pd

from zoneplan.landuse import classes

__all__ = ["LAYER_STYLES_COLUMNS", "landuse_style_qml", "layer_styles_frame"]

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

_DOCTYPE: Final = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
_QGIS_VERSION: Final = "3.28.0-Firenze"
_POLYGON: Final = "2"  # QgsWkbTypes::PolygonGeometry, checked by QGIS when a style is applied
_OUTLINE: Final = "110,110,110,255"
_OUTLINE_WIDTH_MM: Final = "0.1"
_OTHER_COLOR: Final = "230,0,0,255"
_OTHER_LABEL: Final = "其他或缺失 / other or missing code"


def _rgba(hex_color: str) -> str:
    return ",".join(str(int(hex_color[i : i + 2], 16)) for i in (1, 3, 5)) + ",255"


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
    root = ET.Element("qgis", {"version": _QGIS_VERSION, "styleCategories": "Symbology"})
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        {"type": "categorizedSymbol", "attr": field, "symbollevels": "0", "enableorderby": "0", "forceraster": "0", "referencescale": "-1"},
    )
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    entries = zip(table.index, table["name_zh"], table["color"])
    for number, (code, name, color) in enumerate(entries):
        ET.SubElement(categories, "category", {"symbol": str(number), "value": code, "label": f"{code} {name}", "render": "true"})
        symbols.append(_fill_symbol(str(number), _rgba(color)))
    other = str(len(table))
    ET.SubElement(categories, "category", {"symbol": other, "value": "", "label": _OTHER_LABEL, "render": "true"})
    symbols.append(_fill_symbol(other, _OTHER_COLOR, style="b_diagonal", outline=_OTHER_COLOR))
    ET.SubElement(root, "layerGeometryType").text = _POLYGON
    ET.indent(root)
    return f"{_DOCTYPE}\n{ET.tostring(root, encoding='unicode')}\n"


def layer_styles_frame(
    styles: Mapping[str, str],
    *,
    geometry_column: str = "geom",
    description: str = "zoneplan 用地用海 style",
    update_time: datetime | None = None,
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
    stamp = pd.Timestamp(update_time or datetime.now(timezone.utc))
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
            "useAsDefault": True,
            "description": description,
            "owner": "",
            "ui": "",
            "update_time": pd.Series(stamp, index=range(len(names)), dtype="datetime64[ms, UTC]"),
        },
        columns=list(LAYER_STYLES_COLUMNS),
    ).astype(dict.fromkeys(text, "str"))
