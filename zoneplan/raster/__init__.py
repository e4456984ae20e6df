"""Raster layers: land cover from imagery set against the plan, and plans as rasters.

- :mod:`zoneplan.raster.classes` — class schemes as data (ESA WorldCover, CLCD, plan land use,
  user CSV tables) with a ``built`` flag.
- :mod:`zoneplan.raster.zonal` — exact (fractional-pixel) class areas per zone, district, park,
  phase or parcel, from a raster in any CRS, read window by window.
- :mod:`zoneplan.raster.change` — built-up land in two years, new construction seen on the
  ground, and parcels whose recorded status the imagery contradicts, with evidence geometry.
- :mod:`zoneplan.raster.rasterize` — plan layers to GeoTIFF / COG with the standard colours.
"""

from __future__ import annotations

from zoneplan.raster.classes import SCHEMES, ClassScheme, get_scheme, read_class_table
from zoneplan.raster.zonal import class_areas, zonal_stats

__all__ = ["SCHEMES", "ClassScheme", "class_areas", "get_scheme", "read_class_table", "zonal_stats"]
