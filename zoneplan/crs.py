"""Coordinate reference systems: CGCS2000 Gauss–Krüger zones, lon-lat input and GCJ-02.

zoneplan computes in the CGCS2000 3-degree Gauss–Krüger zone (EPSG:4534–4554, no zone prefix
in the easting) whose central meridian is nearest the data. Any input — lon-lat (EPSG:4326,
4490), UTM, Web Mercator, 6° zones, zones with the zone number in the easting (EPSG:4513–4533,
4491–4501, ESRI names such as ``CGCS2000_3_Degree_GK_Zone_39``), Xian-80 and Beijing-54 — is
transformed there on import (:func:`to_working_crs`), after :func:`check_coordinates` has refused
coordinates that cannot be right (NaN, inf, 1e300, degrees declared as metres, eastings outside
the zone, anything outside China). A file without CRS is refused with the CRS its coordinates
look like (:func:`guess_crs`); a ``crs`` that contradicts the file's own is refused unless
overridden. GCJ-02 lon-lat (the offset used by AMap/Gaode and Tencent web maps) cannot be
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
    "CHINA_BOUNDS",
    "check_coordinates",
    "gcj02_to_wgs84",
    "geometry_from_gcj02",
    "geometry_to_gcj02",
    "gk_crs_for",
    "gk_epsg",
    "guess_crs",
    "in_china",
    "require_projected",
    "to_working_crs",
    "wgs84_to_gcj02",
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
    cm = round(lon / 3.0) * 3
    if cm < _GK_FIRST_CM or cm > _GK_LAST_CM:
        raise CRSError(
            f"longitude {lon:.4f}° is outside China's CGCS2000 Gauss–Krüger zones (73.5–136.5°E)",
            rule="crs",
        )
    return _GK_FIRST_EPSG + (cm - _GK_FIRST_CM) // 3


def gk_crs_for(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pyproj.CRS:
    """The Gauss–Krüger CRS whose zone covers the centre of ``gdf``'s bounds.

    ``gdf`` must carry a CRS; the centre is taken in lon-lat.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> gk_crs_for(datasets.load("linqing").zones.to_crs(4490)).to_epsg()  # Linqing, 115.7°E: the 3° zone of CM 117°E
    4548
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
    """Raise :class:`~zoneplan.errors.CRSError` unless ``gdf`` is in a projected CRS in metres.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> zones = datasets.load("linqing").zones
    >>> require_projected(zones)  # EPSG:4548, metres: fine
    >>> try:
    ...     require_projected(zones.to_crs(4490))
    ... except CRSError as exc:
    ...     print(exc.rule)
    projected-crs
    """
    crs = gdf.crs
    if crs is None:
        raise CRSError(f"cannot compute {what}: the data has no CRS", rule="projected-crs")
    if crs.is_geographic:
        raise CRSError(
            f"cannot compute {what} in geographic CRS {crs.to_string()} (degrees); project to a Gauss–Krüger zone first (zoneplan.crs.to_working_crs)",
            rule="projected-crs",
        )
    unit = crs.axis_info[0].unit_name if crs.axis_info else "metre"
    if unit not in ("metre", "meter"):
        raise CRSError(f"cannot compute {what} in CRS {crs.to_string()} with unit {unit}", rule="projected-crs")


#: Lon-lat box around China's territory (degrees): data outside it is refused whatever its CRS.
CHINA_BOUNDS: tuple[float, float, float, float] = (73.0, 3.0, 136.0, 54.0)
#: Largest plausible magnitude of a coordinate in metres or degrees (1e300 is a broken value).
_MAX_COORD = 1e9
#: How far beyond its nominal half-width a Gauss–Krüger/UTM zone may be used (degrees of longitude).
_ZONE_MARGIN_DEG = 1.5


def guess_crs(x: float, y: float) -> str:
    """The CRS that coordinates ``(x, y)`` most likely are in, as a hint for a file that names none.

    Examples
    --------
    >>> guess_crs(39_616_020.0, 4_075_000.0)
    'CGCS2000 3° Gauss–Krüger zone 39 with the zone number in the easting (EPSG:4527)'
    >>> guess_crs(115.70, 36.84)
    'lon-lat degrees (CGCS2000: EPSG:4490)'
    >>> guess_crs(384_000.0, 4_080_000.0)
    'a Gauss–Krüger zone without zone number: give the central meridian (CGCS2000 3° zones EPSG:4534–4554 for CM 75°E–135°E, e.g. EPSG:4548 for 117°E)'
    """
    if not (np.isfinite(x) and np.isfinite(y)):
        return "no CRS: the coordinates are not finite numbers"
    lon0, lat0, lon1, lat1 = CHINA_BOUNDS
    if lon0 <= x <= lon1 and lat0 <= y <= lat1:
        return "lon-lat degrees (CGCS2000: EPSG:4490)"
    if 1e7 <= x < 1e8 and 0 < y < 1e7:
        zone = int(x // 1_000_000)
        if 25 <= zone <= 45:
            return f"CGCS2000 3° Gauss–Krüger zone {zone} with the zone number in the easting (EPSG:{4513 + zone - 25})"
        if 13 <= zone <= 23:
            return f"CGCS2000 6° Gauss–Krüger zone {zone} with the zone number in the easting (EPSG:{4491 + zone - 13})"
    if 100_000 <= x < 1_000_000 and 0 < y < 1e7:
        return (
            "a Gauss–Krüger zone without zone number: give the central meridian (CGCS2000 3° zones EPSG:4534–4554 for CM 75°E–135°E, e.g. EPSG:4548 for 117°E)"
        )
    return f"no CRS used in China (x={x:.6g}, y={y:.6g})"


def _same_crs(a: pyproj.CRS, b: pyproj.CRS) -> bool:
    if a.equals(b, ignore_axis_order=True):
        return True
    code_a, code_b = a.to_epsg(), b.to_epsg()
    return code_a is not None and code_a == code_b


def _crs_label(crs: pyproj.CRS) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def _zone_limit(crs: pyproj.CRS) -> tuple[float, float] | None:
    """Central meridian and largest usable distance from it (degrees) of a transverse-Mercator CRS."""
    op = crs.coordinate_operation
    if op is None or "transverse mercator" not in op.method_name.lower():
        return None
    params = {p.name: p.value for p in op.params}
    cm = params.get("Longitude of natural origin")
    if cm is None:
        return None
    name = crs.name.lower().replace("_", "-")
    half = 1.5 if "3-degree" in name else 3.0
    return float(cm), half + _ZONE_MARGIN_DEG


def _resolve_crs(gdf: gpd.GeoDataFrame, crs: str | int | pyproj.CRS | None, crs_override: bool) -> pyproj.CRS:
    """The CRS ``gdf``'s coordinates are in: the file's own, or the declared one when the file names none."""
    own = None if gdf.crs is None else pyproj.CRS.from_user_input(gdf.crs)
    declared = None if crs is None else pyproj.CRS.from_user_input(crs)
    if own is not None and declared is not None and not _same_crs(own, declared) and not crs_override:
        raise CRSError(
            f"the file says its CRS is {_crs_label(own)} but --crs says {_crs_label(declared)}; drop --crs, or add --crs-override if the file's CRS is wrong",
            rule="crs-conflict",
        )
    if declared is not None:
        return declared
    if own is not None:
        return own
    xy = shapely.get_coordinates(np.asarray(gdf.geometry.values))
    xy = xy[np.isfinite(xy).all(axis=1)]
    hint = guess_crs(*np.median(xy, axis=0)) if len(xy) else "no coordinates to read one from"
    raise CRSError(f"the data has no CRS; its coordinates look like {hint}: name it with --crs", rule="crs-missing")


def check_coordinates(gdf: gpd.GeoDataFrame | gpd.GeoSeries, crs: pyproj.CRS) -> tuple[np.ndarray, np.ndarray]:
    """Refuse coordinates impossible under ``crs``; return every vertex's CGCS2000 lon and lat.

    Refused, naming the first feature (its index label) and the rule: non-finite or absurd
    values (NaN, inf, 1e300; rule ``coordinates``); degrees given to a CRS in metres
    (``degrees-as-metres``); eastings outside a Gauss–Krüger/UTM zone, beyond its half-width plus
    1.5° (``outside-zone``, e.g. a zone number in the easting under a CRS without one); anything
    outside China's lon-lat box :data:`CHINA_BOUNDS` (``outside-china``).

    Examples
    --------
    >>> import geopandas as gpd, shapely, pyproj
    >>> s = gpd.GeoSeries([shapely.box(39_616_000, 4_075_000, 39_616_100, 4_075_100)], index=["DK-7"])
    >>> check_coordinates(s, pyproj.CRS.from_epsg(4548))
    Traceback (most recent call last):
    ...
    zoneplan.errors.CRSError: easting 39616100 lies outside the zone of EPSG:4548 (CGCS2000 / 3-degree Gauss-Kruger CM 117E) (central meridian 117°E, usable to ±3.0°); the coordinates look like CGCS2000 3° Gauss–Krüger zone 39 with the zone number in the easting (EPSG:4527) (feature DK-7, rule outside-zone)
    """
    geoms = np.asarray(gdf.geometry.values)
    xy, which = shapely.get_coordinates(geoms, return_index=True)
    labels = gdf.index

    def refuse(bad: np.ndarray, message: str, rule: str) -> None:
        first = int(np.flatnonzero(bad)[0])
        x, y = xy[first]
        raise CRSError(message.format(x=x, y=y, hint=guess_crs(x, y)), feature=labels[which[first]], rule=rule)

    absurd = ~np.isfinite(xy).all(axis=1) | (np.abs(xy) > _MAX_COORD).any(axis=1)
    if absurd.any():
        refuse(absurd, "coordinate ({x:.6g}, {y:.6g}) is not a possible position", "coordinates")
    if crs.is_projected:
        metric = (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)
        degrees = (np.bincount(which, weights=metric, minlength=len(geoms)) == 0)[which]  # a feature wholly in degree range
        if degrees.any():
            refuse(degrees, f"coordinates ({{x:.6g}}, {{y:.6g}}) are degrees but {_crs_label(crs)} is in metres; the data is {{hint}}", "degrees-as-metres")
    to_ll = pyproj.Transformer.from_crs(crs, 4490, always_xy=True)
    lon, lat = to_ll.transform(xy[:, 0], xy[:, 1], errcheck=False)
    lon, lat = np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
    zone = _zone_limit(crs)
    if zone is not None:
        cm, limit = zone
        with np.errstate(invalid="ignore"):
            outside = ~(np.abs(lon - cm) <= limit)
        if outside.any():
            refuse(
                outside,
                f"easting {{x:.0f}} lies outside the zone of {_crs_label(crs)} (central meridian {cm:g}°E, usable to ±{limit:.1f}°); the coordinates look like {{hint}}",
                "outside-zone",
            )
    lon0, lat0, lon1, lat1 = CHINA_BOUNDS
    with np.errstate(invalid="ignore"):
        foreign = ~((lon >= lon0) & (lon <= lon1) & (lat >= lat0) & (lat <= lat1))
    if foreign.any():
        first = int(np.flatnonzero(foreign)[0])
        refuse(
            foreign, f"coordinate ({{x:.6g}}, {{y:.6g}}) in {_crs_label(crs)} is at lon {lon[first]:.4f}, lat {lat[first]:.4f}: outside China", "outside-china"
        )
    return lon, lat


def to_working_crs(
    gdf: gpd.GeoDataFrame,
    *,
    crs: str | int | pyproj.CRS | None = None,
    crs_override: bool = False,
    target: str | int | pyproj.CRS | None = None,
    gcj02: bool = False,
    notes: list[str] | None = None,
) -> gpd.GeoDataFrame:
    """Return ``gdf`` in the CGCS2000 3° Gauss–Krüger zone covering it (or ``target``), after checking its coordinates.

    Parameters
    ----------
    gdf
        Input features.
    crs
        The CRS the data is in, when the file does not say. A file that names its own CRS and a
        different ``crs`` is refused (rule ``crs-conflict``) unless ``crs_override``. Data with no
        CRS and no ``crs`` is refused, naming the CRS its coordinates look like.
    crs_override
        Use ``crs`` even though the file names another CRS (for a file whose .prj is wrong).
    target
        Working CRS; default: the CGCS2000 3° Gauss–Krüger zone (EPSG:4534–4554) covering the
        centre of the data, whatever its input CRS (lon-lat, UTM, Web Mercator, 6° zones, zones
        with the zone number in the easting, Xian-80, Beijing-54).
    gcj02
        The coordinates are GCJ-02 lon-lat (from AMap/Gaode or Tencent); they are converted to
        CGCS2000/WGS84 lon-lat with the iterative inverse before projecting.
    notes
        When given, a sentence is appended for each choice worth telling (the zone chosen for data
        that spans two).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> utm = gpd.GeoDataFrame(geometry=[shapely.box(500_000, 4_070_000, 500_100, 4_070_100)], crs=32650)
    >>> to_working_crs(utm).crs.to_epsg()  # UTM 50N (CM 117°E) → CGCS2000 3° GK CM 117°E
    4548
    """
    source = _resolve_crs(gdf, crs, crs_override)
    gdf = gdf.set_crs(source, allow_override=True)
    if gcj02:
        if not source.is_geographic:
            raise CRSError(f"GCJ-02 input must be lon-lat, but the data is in {source.to_string()}", rule="gcj02")
        gdf = gdf.to_crs(4490).set_geometry(geometry_from_gcj02(gdf.to_crs(4490).geometry.values))
    lon, _ = check_coordinates(gdf, pyproj.CRS.from_user_input(gdf.crs))
    if target is None:
        target = gk_crs_for(gdf)
        if len(lon):
            west, east = gk_epsg(float(lon.min())), gk_epsg(float(lon.max()))
            if west != east and notes is not None:
                notes.append(
                    f"the data spans the 3° Gauss–Krüger zones CM {_cm(west)}°E–{_cm(east)}°E; it is worked in {_crs_label(target)}, the zone of its centre"
                )
    _note_datum_shift(pyproj.CRS.from_user_input(gdf.crs), pyproj.CRS.from_user_input(target), notes)
    out = gdf.to_crs(target)
    require_projected(out)
    return out


#: Datums whose coordinates equal CGCS2000's to within centimetres to a few decimetres (no shift needed).
_CGCS2000_LIKE = ("China 2000", "China Geodetic Coordinate System 2000", "World Geodetic System 1984", "WGS 84", "WGS_1984")


def _note_datum_shift(source: pyproj.CRS, target: pyproj.CRS, notes: list[str] | None) -> None:
    """Say so when Xian-80 or Beijing-54 data reaches CGCS2000 without datum parameters (tens of metres off)."""
    datum = source.datum.name if source.datum is not None else ""
    if notes is None or any(name in datum for name in _CGCS2000_LIKE):
        return
    if "allpark" in pyproj.Transformer.from_crs(source, target, always_xy=True).description:
        notes.append(
            f"{datum} → {target.name}: no datum-shift parameters are public, so the lon-lat were kept "
            "(a ballpark transformation); positions can be tens of metres off against CGCS2000 data — "
            "convert with the province's 7-parameter set first when that matters"
        )


def _cm(gk_code: int) -> int:
    return _GK_FIRST_CM + 3 * (gk_code - _GK_FIRST_EPSG)


def in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The public GCJ-02 rectangle test: True where the offset applies.

    Examples
    --------
    >>> import numpy as np
    >>> in_china(np.array([115.7, 139.7]), np.array([36.8, 35.7])).tolist()  # Linqing, Tokyo
    [True, False]
    """
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
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
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


def gcj02_to_wgs84(lon: np.ndarray, lat: np.ndarray, *, tolerance_deg: float = 1e-9, max_iter: int = 30) -> tuple[np.ndarray, np.ndarray]:
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
    """Shift lon-lat geometries (array of shapely geometries) into GCJ-02.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> point = np.array([shapely.Point(115.7, 36.8)])
    >>> shifted = geometry_to_gcj02(point)
    >>> round(float(shapely.distance(shifted, point)[0]) * 111_000)  # metres, roughly: the offset is a few hundred metres
    649
    >>> round(float(shapely.distance(geometry_from_gcj02(shifted), point)[0]) * 111_000, 1)  # and back again
    0.0
    """
    return _transform_lonlat(np.asarray(geoms), wgs84_to_gcj02)


def geometry_from_gcj02(geoms: np.ndarray) -> np.ndarray:
    """Shift GCJ-02 lon-lat geometries back to WGS84/CGCS2000 lon-lat.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> gcj = geometry_to_gcj02(np.array([shapely.Point(116.39, 39.91)]))
    >>> back = geometry_from_gcj02(gcj)[0]
    >>> round(back.x, 5), round(back.y, 5)
    (116.39, 39.91)
    """
    return _transform_lonlat(np.asarray(geoms), gcj02_to_wgs84)
