"""Reading one layer with pyogrio, arcs included.

Shapely holds no curves: a CurvePolygon, CompoundCurve or MultiSurface layer (CAD arcs kept by
QGIS or ArcGIS in a GeoPackage) fails the fast Arrow read. :func:`read_layer` reads such a layer
through GDAL's feature path instead, which turns each arc into vertices every
:data:`ARC_STEP_DEGREES` of arc (the area of a half disk of 100 m radius comes out within
0.005 %), and says so.

Examples
--------
>>> from zoneplan import datasets
>>> gdf, note = read_layer(datasets.get_path("zhangdian"), "phases")
>>> len(gdf), note
(3, None)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio

__all__ = ["ARC_STEP_DEGREES", "read_layer"]

#: Degrees of arc between the vertices that replace a curve (GDAL ``OGR_ARC_STEPSIZE``).
ARC_STEP_DEGREES = 1.0


def read_layer(path: str | Path, layer: str | int | None = None, **kwargs: Any) -> tuple[gpd.GeoDataFrame, str | None]:
    """``pyogrio.read_dataframe`` of ``layer``, with arcs as vertices; and a note when it had arcs."""
    try:
        return pyogrio.read_dataframe(path, layer=layer, **({"use_arrow": True} | kwargs)), None
    except NotImplementedError as exc:  # shapely: "Nonlinear geometry types are not currently supported"
        if "onlinear" not in str(exc):
            raise
    previous = pyogrio.get_gdal_config_option("OGR_ARC_STEPSIZE")
    pyogrio.set_gdal_config_options({"OGR_ARC_STEPSIZE": str(ARC_STEP_DEGREES)})
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer, **(kwargs | {"use_arrow": False}))
    finally:
        pyogrio.set_gdal_config_options({"OGR_ARC_STEPSIZE": previous})
    return gdf, f"curves (arcs) turned into vertices every {ARC_STEP_DEGREES:g}° of arc"
