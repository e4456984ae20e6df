"""Plan layers as rasters: land use, phase or status to GeoTIFF / Cloud-Optimised GeoTIFF.

For exchange with remote-sensing tools, a plan layer is burnt into a single-band ``uint8``
raster at a chosen resolution in the plan's CRS, with a colour table, so that it opens coloured
in QGIS/ArcGIS/ENVI and can be compared cell by cell with land-cover rasters:

``by="landuse"``
    Value *i* is the *i*-th 2023 用地用海 class of :func:`zoneplan.landuse.classes` (1-based,
    the ``"landuse"`` scheme of :mod:`zoneplan.raster.classes`), coloured with the standard
    planning colours. Read back with ``scheme="landuse"`` its ``built`` flag is the class's
    construction-land flag, so a plan raster is planned land consumption.
``by="status"``
    1 built, 2 supplied, 3 ready, 4 unready, 5 unbuildable (:data:`zoneplan.layers.PARCEL_STATUSES`).
``by="phase"``
    1…N in the order of ``phase_id`` (a parcel's phase from
    :func:`zoneplan.analysis.grouping.assign_groups`).

0 is no data. A cell takes the value of the feature covering its centre. The grid is snapped to
multiples of the resolution. The raster is written in strips of ``block_rows`` rows, each burning
only the features its strip's bounds select through the spatial index, so memory stays bounded
for any extent. The meaning of each value is stored as dataset tags
(``class_<value>=<label>``, plus ``layer``, ``by``, ``scheme``) and, for GIS programs, as GDAL
category names and a raster attribute table in ``<file>.aux.xml``
(:func:`zoneplan.raster.legend.write_legend`), so QGIS's legend reads ``1001 工业用地``. The file is written to a temporary
name and moved into place (:func:`zoneplan.io.gpkg.atomic_path`), so an interrupted export leaves no half-written raster.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd
import rasterio
import rasterio.features
import rasterio.shutil
import shapely
from rasterio.transform import from_origin
from rasterio.windows import Window

from zoneplan.errors import InputError
from zoneplan.io.gpkg import atomic_path
from zoneplan.layers import PARCEL_STATUSES
from zoneplan.plan import Plan
from zoneplan.raster.classes import get_scheme
from zoneplan.raster.legend import write_legend

__all__ = ["STATUS_COLORS", "By", "RasterExport", "as_by", "burn_values", "class_raster_profile", "export_raster"]

By = Literal["landuse", "phase", "status"]

#: Colours of the status raster (built dark red … unbuildable grey).
STATUS_COLORS: dict[str, str] = {"built": "#B2182B", "supplied": "#EF8A62", "ready": "#FDDBC7", "unready": "#D1E5F0", "unbuildable": "#999999"}

_PHASE_COLORS = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF")


@dataclass(frozen=True)
class RasterExport:
    """What :func:`export_raster` wrote.

    Examples
    --------
    >>> import tempfile
    >>> from zoneplan import datasets
    >>> result = export_raster(datasets.load("zhangdian"), Path(tempfile.mkdtemp()) / "phases.tif", by="phase", resolution=20.0)
    >>> result.width, result.height, result.crs, result.unmapped  # parcels in no phase are left out
    (192, 238, 'EPSG:4548', 287)
    >>> result.classes[["value", "label", "count"]].to_numpy().tolist()
    [[1, 'zhangdian-phase-1 一期', 19], [2, 'zhangdian-phase-2 二期', 38], [3, 'zhangdian-phase-3 三期', 25]]
    """

    path: Path
    width: int
    height: int
    resolution: float
    crs: str
    classes: pd.DataFrame  # value, label, color, count of features
    unmapped: int  # features left out: no code/phase/status, or one the legend lacks


def class_raster_profile(crs: Any, transform: Any, *, width: int, height: int, **extra: Any) -> dict[str, Any]:
    """rasterio profile of a one-band class raster: uint8 GeoTIFF, 0 = no data, 256-pixel tiles, deflate.

    ``extra`` adds or overrides creation options (``predictor``, ``zlevel`` …).

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> import rasterio
    >>> from rasterio.transform import from_origin
    >>> from zoneplan import datasets
    >>> plan = datasets.load("zhangdian")
    >>> minx, _, _, maxy = plan.zones.total_bounds
    >>> profile = class_raster_profile(plan.crs, from_origin(minx, maxy, 20.0, 20.0), width=300, height=300, predictor=2)
    >>> profile["dtype"], profile["nodata"], profile["compress"], profile["predictor"]
    ('uint8', 0, 'deflate', 2)
    >>> path = Path(tempfile.mkdtemp()) / "classes.tif"
    >>> with rasterio.open(path, "w", **profile) as ds:
    ...     ds.write(np.ones((1, 300, 300), dtype="uint8"))
    >>> with rasterio.open(path) as ds:
    ...     print(ds.crs.to_epsg(), ds.res, ds.block_shapes, ds.nodata)
    4548 (20.0, 20.0) [(256, 256)] 0.0
    """
    return {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 1,
        "dtype": "uint8",
        "nodata": 0,
        "crs": crs.to_wkt(),
        "transform": transform,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
        **extra,
    }


def _hex_rgb(color: object) -> tuple[int, int, int, int]:
    text = str(color).lstrip("#") if isinstance(color, str) and color.startswith("#") and len(color) == 7 else "000000"
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16), 255


def as_by(by: str) -> By:
    """``by`` as what a layer is rasterised by (:data:`By`), or an error.

    Examples
    --------
    >>> as_by("status")
    'status'
    >>> as_by("height")
    Traceback (most recent call last):
    ...
    zoneplan.errors.InputError: cannot rasterise by 'height'; use landuse, phase, status (rule rasterize)
    """
    for known in get_args(By):
        if by == known:
            return known
    raise InputError(f"cannot rasterise by {by!r}; use {', '.join(sorted(get_args(By)))}", rule="rasterize")


def burn_values(plan: Plan, *, layer: str = "parcels", by: By = "landuse") -> tuple[pd.Series, pd.DataFrame]:
    """The raster value of each feature of ``layer`` and the legend.

    Returns
    -------
    values : pandas.Series
        ``uint8`` value per feature (aligned to the layer's index), 0 where the feature has no
        value in the legend.
    legend : pandas.DataFrame
        Columns ``value``, ``label``, ``color`` (``#RRGGBB``).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> values, legend = burn_values(datasets.load("zhangdian"), by="phase")
    >>> sorted(values.dropna().unique().tolist()), list(legend.columns)[:3]
    ([0, 1, 2, 3], ['value', 'label', 'color'])
    """
    gdf = plan[layer]
    by = as_by(by)
    if by == "landuse":
        col = "landuse_code"
        if col not in gdf.columns:
            raise InputError(f"layer has no {col} column to rasterise by land use", layer=layer, rule="rasterize")
        table = get_scheme("landuse").table
        lookup = pd.Series(table.index.to_numpy(), index=table["code"].to_numpy())
        from zoneplan.landuse import normalise_codes

        values = normalise_codes(gdf[col]).astype("string").map(lookup)
        legend = pd.DataFrame(
            {"value": table.index.to_numpy(), "label": table["name_zh"].to_numpy(dtype=object), "color": table["color"].to_numpy(dtype=object)}
        )
    elif by == "status":
        if "status" not in gdf.columns:
            raise InputError("layer has no status column to rasterise by status", layer=layer, rule="rasterize")
        order = list(PARCEL_STATUSES)
        values = gdf["status"].astype("string").str.strip().str.lower().map({s: i + 1 for i, s in enumerate(order)})
        legend = pd.DataFrame(
            {"value": range(1, len(order) + 1), "label": [f"{s} {PARCEL_STATUSES[s]}" for s in order], "color": [STATUS_COLORS[s] for s in order]}
        )
    elif by == "phase":
        if layer == "phases":
            ids = gdf["phase_id"].astype("string") if "phase_id" in gdf.columns else pd.Series(pd.NA, index=gdf.index, dtype="string")
        elif layer == "parcels":
            from zoneplan.analysis.grouping import assign_groups

            ids = assign_groups(plan, "phase")
        else:
            raise InputError("rasterise by phase works on the phases or parcels layer", layer=layer, rule="rasterize")
        phases = plan.phases
        names = phases.set_index(phases["phase_id"].astype("string"))["name"] if "name" in phases.columns and len(phases) else pd.Series(dtype="string")
        order = sorted(set(plan.phases["phase_id"].dropna().astype(str)) | set(ids.dropna().astype(str)))
        if len(order) > 255:
            raise InputError(f"{len(order)} phases do not fit a byte raster (at most 255)", layer=layer, rule="rasterize")
        values = ids.map({p: i + 1 for i, p in enumerate(order)})
        legend = pd.DataFrame(
            {
                "value": range(1, len(order) + 1),
                "label": [f"{p} {names.get(p, '')}".strip() for p in order],
                "color": [_PHASE_COLORS[i % len(_PHASE_COLORS)] for i in range(len(order))],
            }
        )
    values = pd.to_numeric(values, errors="coerce").fillna(0).astype("uint8")
    values.index = gdf.index
    return values, legend.reset_index(drop=True)


def export_raster(
    plan: Plan,
    path: str | os.PathLike,
    *,
    layer: str = "parcels",
    by: By = "landuse",
    resolution: float = 10.0,
    cog: bool = True,
    block_rows: int = 1024,
) -> RasterExport:
    """Burn a plan layer into a coloured GeoTIFF (Cloud-Optimised by default).

    Parameters
    ----------
    plan
        The plan.
    path
        Output ``.tif``.
    layer
        Layer to burn (``parcels``, ``phases``, ``zones`` …).
    by
        ``landuse``, ``phase`` or ``status`` (legends in the module docstring).
    resolution
        Cell size in metres (plan CRS).
    cog
        Write a Cloud-Optimised GeoTIFF (with overviews) instead of a plain tiled GeoTIFF.
    block_rows
        Rows burnt per strip (bounds memory).

    Returns
    -------
    RasterExport
        The file, its grid and the legend with feature counts.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import rasterio
    >>> from zoneplan import datasets
    >>> result = export_raster(datasets.load("zhangdian"), Path(tempfile.mkdtemp()) / "phases.tif", by="phase", resolution=20.0)
    >>> with rasterio.open(result.path) as ds:
    ...     print(ds.crs.to_epsg(), ds.res)
    4548 (20.0, 20.0)
    """
    if not resolution > 0:
        raise InputError(f"resolution must be positive, got {resolution}", rule="rasterize")
    gdf = plan[layer]
    if gdf.empty:
        raise InputError("layer is empty; nothing to rasterise", layer=layer, rule="rasterize")
    values, legend = burn_values(plan, layer=layer, by=by)
    minx, miny, maxx, maxy = gdf.total_bounds
    minx, miny = math.floor(minx / resolution) * resolution, math.floor(miny / resolution) * resolution
    maxx, maxy = math.ceil(maxx / resolution) * resolution, math.ceil(maxy / resolution) * resolution
    width, height = max(round((maxx - minx) / resolution), 1), max(round((maxy - miny) / resolution), 1)
    transform = from_origin(minx, maxy, resolution, resolution)
    keep = (values > 0).to_numpy() & ~gdf.geometry.is_empty.to_numpy() & gdf.geometry.notna().to_numpy()
    geoms = gdf.geometry.to_numpy()[keep]
    vals = values.to_numpy()[keep]
    tree = shapely.STRtree(geoms)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    colormap = {0: (0, 0, 0, 0), **{int(v): _hex_rgb(c) for v, c in zip(legend["value"], legend["color"])}}
    tags = {
        "layer": layer,
        "by": by,
        "scheme": "landuse" if by == "landuse" else by,
        **{f"class_{int(v)}": str(lab) for v, lab in zip(legend["value"], legend["label"])},
    }
    profile = class_raster_profile(plan.crs, transform, width=width, height=height)
    with atomic_path(out, suffix=".tmp.tif") as final, tempfile.TemporaryDirectory(dir=out.parent, prefix=".zoneplan-raster-") as work:
        tmp = Path(work) / "strips.tif" if cog else final
        with rasterio.open(tmp, "w", **profile) as dst:
            for row0 in range(0, height, block_rows):
                rows = min(block_rows, height - row0)
                top = maxy - row0 * resolution
                strip = shapely.box(minx, top - rows * resolution, maxx, top)
                hit = tree.query(strip, predicate="intersects")
                if len(hit) == 0:
                    continue
                hit.sort()  # later features win, as in the layer's order
                arr = rasterio.features.rasterize(
                    zip(geoms[hit], vals[hit].tolist()),
                    out_shape=(rows, width),
                    transform=from_origin(minx, top, resolution, resolution),
                    fill=0,
                    dtype="uint8",
                )
                dst.write(arr, 1, window=Window(0, row0, width, rows))
            dst.write_colormap(1, colormap)
            dst.update_tags(**tags)
        if cog:
            rasterio.shutil.copy(tmp, final, driver="COG", compress="DEFLATE", overview_resampling="nearest")
    write_legend(out, legend)
    counts = pd.Series(vals).value_counts()
    legend = legend.assign(count=legend["value"].map(counts).fillna(0).astype("int64"))
    epsg = plan.crs.to_epsg()
    return RasterExport(out, width, height, float(resolution), f"EPSG:{epsg}" if epsg else plan.crs.to_string(), legend, int((~keep).sum()))
