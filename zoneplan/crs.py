"""Coordinate reference systems: CGCS2000 Gauss–Krüger zones, lon-lat input and GCJ-02.

zoneplan computes in the CGCS2000 3-degree Gauss–Krüger zone (EPSG:4534–4554, no zone prefix
in the easting) whose central meridian is nearest the data. Lon-lat input (EPSG:4326, 4490) is
projected there; GCJ-02 lon-lat (the offset used by AMap/Gaode and Tencent web maps) cannot be
detected from the data and must be declared with ``gcj02=True``. Areas are never computed in a
geographic CRS: :func:`require_projected` refuses.

The GCJ-02 forward formula is the public one (Krasovsky a = 6378245.0, e² = 0.00669342162296594323);
the inverse iterates the forward formula to below 1e-9 degrees (~0.1 mm).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyproj
import shapely

from zoneplan.errors import CRSError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "gk_epsg",
    "gk_crs_for",
    "to_working_crs",
    "require_projected",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "geometry_to_gcj02",
    "geometry_from_gcj02",
    "in_china",
]

_GK_FIRST_EPSG = 4534  # CGCS2000 / 3-degree Gauss-Kruger CM 75E
_GK_FIRST_CM = 75
_GK_LAST_CM = 135


def gk_epsg(lon: float) -> int:
    """EPSG code of the CGCS2000 3° Gauss–Krüger zone (no easting prefix) covering ``lon``.

    Parameters
    ----------
    lon
        Longitude in degrees east (China: 73.5–135).

    Examples
    --------
    >>> gk_epsg(115.70), gk_epsg(118.05)
    (4548, 4548)
    """
    if not np.isfinite(lon):
        raise CRSError(f"cannot choose a Gauss–Krüger zone for longitude {lon}", rule="crs")
    cm = int(round(lon / 3.0)) * 3
    if cm < _GK_FIRST_CM or cm > _GK_LAST_CM:
        raise CRSError(
            f"longitude {lon:.4f}° is outside China's CGCS2000 Gauss–Krüger zones (73.5–136.5°E)",
            rule="crs",
        )
    return _GK_FIRST_EPSG + (cm - _GK_FIRST_CM) // 3


def gk_crs_for(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pyproj.CRS:
    """The Gauss–Krüger CRS whose zone covers the centre of ``gdf``'s bounds.

    ``gdf`` must carry a CRS; the centre is taken in lon-lat.
    """
    if gdf.crs is None:
        raise CRSError("data has no CRS; name one (e.g. --crs EPSG:4490)", rule="crs")
    minx, miny, maxx, maxy = gdf.total_bounds
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        raise CRSError("data has no geometry to choose a zone from", rule="crs")
    to_ll = pyproj.Transformer.from_crs(gdf.crs, 4490, always_xy=True)
    lon, _ = to_ll.transform((minx + maxx) / 2, (miny + maxy) / 2)
    return pyproj.CRS.from_epsg(gk_epsg(lon))


def require_projected(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, what: str = "area") -> None:
    """Raise :class:`~zoneplan.errors.CRSError` unless ``gdf`` is in a projected CRS in metres."""
    crs = gdf.crs
    if crs is None:
        raise CRSError(f"cannot compute {what}: the data has no CRS", rule="projected-crs")
    if crs.is_geographic:
        raise CRSError(
            f"cannot compute {what} in geographic CRS {crs.to_string()} (degrees); "
            "project to a Gauss–Krüger zone first (zoneplan.crs.to_working_crs)",
            rule="projected-crs",
        )
    unit = crs.axis_info[0].unit_name if crs.axis_info else "metre"
    if unit not in ("metre", "meter"):
        raise CRSError(f"cannot compute {what} in CRS {crs.to_string()} with unit {unit}", rule="projected-crs")


def to_working_crs(
    gdf: gpd.GeoDataFrame,
    *,
    crs: str | int | pyproj.CRS | None = None,
    target: str | int | pyproj.CRS | None = None,
    gcj02: bool = False,
) -> gpd.GeoDataFrame:
    """Return ``gdf`` in a projected working CRS (metres).

    Parameters
    ----------
    gdf
        Input features.
    crs
        The CRS the data is in, when the file does not say (or says wrongly). Data with no CRS
        and no ``crs`` is refused.
    target
        Working CRS; default: the CGCS2000 3° Gauss–Krüger zone covering the data.
    gcj02
        The coordinates are GCJ-02 lon-lat (from AMap/Gaode or Tencent); they are converted to
        CGCS2000/WGS84 lon-lat with the iterative inverse before projecting.
    """
    if crs is not None:
        gdf = gdf.set_crs(crs, allow_override=True)
    if gdf.crs is None:
        raise CRSError("data has no CRS; name the one it is in (--crs EPSG:…)", rule="crs")
    if gcj02:
        if not gdf.crs.is_geographic:
            raise CRSError(
                f"GCJ-02 input must be lon-lat, but the data is in {gdf.crs.to_string()}", rule="gcj02"
            )
        gdf = gdf.to_crs(4490).set_geometry(geometry_from_gcj02(gdf.to_crs(4490).geometry.values))
    if target is None:
        target = gk_crs_for(gdf) if gdf.crs.is_geographic else gdf.crs
    out = gdf.to_crs(target)
    require_projected(out)
    return out


def in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The public GCJ-02 rectangle test: True where the offset applies."""
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


_A = 6378245.0
_EE = 0.00669342162296594323


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 105.0
    y = lat - 35.0
    pi = np.pi
    dlat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    rad = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84/CGCS2000 lon-lat to GCJ-02 lon-lat (vectorised; unchanged outside China).

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(115.70, 36.84)
    >>> bool(0.004 < lon - 115.70 < 0.007)
    True
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(
    lon: np.ndarray, lat: np.ndarray, *, tolerance_deg: float = 1e-9, max_iter: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 lon-lat to WGS84/CGCS2000 lon-lat by fixed-point iteration (error < 1 mm).

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(*wgs84_to_gcj02(115.70, 36.84))
    >>> bool(abs(lon - 115.70) < 1e-8 and abs(lat - 36.84) < 1e-8)
    True
    """
    glon = np.asarray(lon, dtype="float64")
    glat = np.asarray(lat, dtype="float64")
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon, wlat = wlon - elon, wlat - elat
        if np.all(np.abs(elon) < tolerance_deg) and np.all(np.abs(elat) < tolerance_deg):
            break
    return wlon, wlat


def _transform_lonlat(geoms: np.ndarray, func) -> np.ndarray:
    def apply(coords: np.ndarray) -> np.ndarray:
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geoms, apply)


def geometry_to_gcj02(geoms: np.ndarray) -> np.ndarray:
    """Shift lon-lat geometries (array of shapely geometries) into GCJ-02."""
    return _transform_lonlat(np.asarray(geoms), wgs84_to_gcj02)


def geometry_from_gcj02(geoms: np.ndarray) -> np.ndarray:
    """Shift GCJ-02 lon-lat geometries back to WGS84/CGCS2000 lon-lat."""
    return _transform_lonlat(np.asarray(geoms), gcj02_to_wgs84)
