"""Class names that GIS programs show: GDAL category names and a raster attribute table.

A classified GeoTIFF carries a colour table, but without class names QGIS lists its 256 palette
entries as ``0 … 255``. :func:`write_legend` writes, beside the raster, the GDAL auxiliary file
``<raster>.aux.xml`` (GDAL's persistent metadata, read by QGIS, ArcGIS and every GDAL program)
with

* the band's **category names** (``CategoryNames``: entry *i* names value *i*), from which QGIS's
  paletted renderer takes its legend labels — ``1001 工业用地``;
* a thematic **raster attribute table** (``Value``, ``Class``, ``Red``, ``Green``, ``Blue``,
  ``Alpha``, the GDAL field usages), which ArcGIS and QGIS's attribute-table tools read.

The file is written atomically (:func:`zoneplan.io.gpkg.atomic_path`).

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> legend = pd.DataFrame({"value": [1, 3], "label": ["1001 工业用地", "0701 城镇住宅用地"], "color": ["#BB9674", "#FFD380"]})
>>> tif = pathlib.Path(tempfile.mkdtemp()) / "plan.tif"
>>> print(write_legend(tif, legend).name)
plan.tif.aux.xml
>>> "<Category>1001 工业用地</Category>" in (tif.parent / "plan.tif.aux.xml").read_text(encoding="utf-8")
True
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from zoneplan.io.gpkg import atomic_path

__all__ = ["aux_xml_path", "write_legend"]

# GDALRATFieldType and GDALRATFieldUsage (gdal.h)
_INTEGER, _STRING = "0", "2"
_USAGE = {"Value": "5", "Class": "2", "Red": "6", "Green": "7", "Blue": "8", "Alpha": "9"}  # MinMax, Name, Red, Green, Blue, Alpha


def aux_xml_path(raster: str | os.PathLike) -> Path:
    """``<raster>.aux.xml``, where GDAL keeps a raster's category names and attribute table.

    Examples
    --------
    >>> aux_xml_path("layers/linqing_landcover_2023.tif").name
    'linqing_landcover_2023.tif.aux.xml'
    """
    raster = Path(raster)
    return raster.with_name(raster.name + ".aux.xml")


def _rgba(color: object) -> tuple[int, int, int, int]:
    text = str(color) if isinstance(color, str) else ""
    if len(text) == 7 and text.startswith("#"):
        return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16), 255
    return 0, 0, 0, 0


def write_legend(raster: str | os.PathLike, legend: pd.DataFrame, *, band: int = 1) -> Path:
    """Write ``<raster>.aux.xml`` naming the classes of ``band`` (see the module docstring).

    Parameters
    ----------
    raster
        The classified raster (``.tif``).
    legend
        Columns ``value`` (integer ≥ 0), ``label`` and ``color`` (``#RRGGBB`` or missing).
    band
        Band number (1-based).

    Returns
    -------
    pathlib.Path
        The auxiliary file.

    Examples
    --------
    >>> import tempfile
    >>> from zoneplan import datasets
    >>> from zoneplan.raster.rasterize import export_raster
    >>> result = export_raster(datasets.load("zhangdian"), Path(tempfile.mkdtemp()) / "phases.tif", by="phase", resolution=20.0)
    >>> legend = result.classes.assign(label=["一期 phase 1", "二期 phase 2", "三期 phase 3"])
    >>> aux = write_legend(result.path, legend)  # relabel the classes QGIS shows
    >>> root = ET.parse(aux).getroot()
    >>> [category.text for category in root.iter("Category")]  # entry i names value i; 0 is no data
    [None, '一期 phase 1', '二期 phase 2', '三期 phase 3']
    >>> [cell.text for cell in next(root.iter("Row"))]  # Value, Class, Red, Green, Blue, Alpha
    ['1', '一期 phase 1', '31', '119', '180', '255']
    """
    values = pd.to_numeric(legend["value"], errors="raise").astype("int64")
    if (values < 0).any() or values.duplicated().any():
        raise ValueError("legend values must be distinct and non-negative")
    labels = dict(zip(values, legend["label"].astype(str)))
    root = ET.Element("PAMDataset")
    pam = ET.SubElement(root, "PAMRasterBand", {"band": str(band)})
    names = ET.SubElement(pam, "CategoryNames")
    for value in range(int(values.max()) + 1 if len(values) else 0):
        ET.SubElement(names, "Category").text = labels.get(value, "")
    rat = ET.SubElement(pam, "GDALRasterAttributeTable", {"tableType": "thematic"})
    for index, (name, usage) in enumerate(_USAGE.items()):
        field = ET.SubElement(rat, "FieldDefn", {"index": str(index)})
        ET.SubElement(field, "Name").text = name
        ET.SubElement(field, "Type").text = _STRING if name == "Class" else _INTEGER
        ET.SubElement(field, "Usage").text = usage
    for index, (value, label, color) in enumerate(zip(values, legend["label"].astype(str), legend["color"])):
        row = ET.SubElement(rat, "Row", {"index": str(index)})
        for cell in (int(value), label, *_rgba(color)):
            ET.SubElement(row, "F").text = str(cell)
    ET.indent(root)
    target = aux_xml_path(raster)
    with atomic_path(target, suffix=".tmp.xml") as tmp:
        tmp.write_text(ET.tostring(root, encoding="unicode") + "\n", encoding="utf-8")
    return target
