"""Exact areas of features, in square metres and mu.

Areas are planar areas in the layer's projected CRS (a Gauss–Krüger zone in metres). A geographic
CRS is refused rather than silently giving square degrees.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from zoneplan.crs import require_projected
from zoneplan.units import AREA_UNITS

__all__ = ["area_m2", "area_in", "areas"]


def area_m2(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Area of each feature in m², aligned to ``gdf``'s index.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> s = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)], crs=4548)
    >>> float(area_m2(s).iloc[0])
    1000000.0
    """
    require_projected(gdf, what="area")
    geoms = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    return pd.Series(geoms.area.to_numpy(), index=gdf.index, name="area_m2")


def area_in(gdf: gpd.GeoDataFrame | gpd.GeoSeries, unit: str = "mu") -> pd.Series:
    """Area of each feature in ``unit`` (``m2``, ``mu``, ``ha`` or ``km2``), named ``area_<unit>``."""
    if unit not in AREA_UNITS:
        raise ValueError(f"unknown area unit {unit!r}; expected one of {sorted(AREA_UNITS)}")
    return (area_m2(gdf) / AREA_UNITS[unit]).rename(f"area_{unit}")


def areas(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, units: tuple[str, ...] = ("m2", "mu", "ha", "km2")) -> pd.DataFrame:
    """Area of each feature in several units: columns ``area_m2``, ``area_mu``, …"""
    m2 = area_m2(gdf)
    return pd.DataFrame({f"area_{u}": m2 / AREA_UNITS[u] for u in units}, index=gdf.index)
