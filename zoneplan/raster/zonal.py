"""Zonal statistics of classified rasters: exact area of each class inside each polygon.

How the areas are made exact
    Coverage
        :mod:`exactextract` computes, for every raster cell a polygon touches, the exact fraction
        of the cell the polygon covers — cells cut by a polygon edge count by their covered
        fraction, not all-or-nothing. The polygons are reprojected to the raster's CRS for this
        (densified first, so straight plan edges stay straight on the ground; spikes and slivers
        under 2 cm wide are closed first, as exactextract miscounts rings that double back).
    Cell area
        In a projected raster CRS every cell has the planar area ``|dx · dy|``. In a geographic
        (lon-lat) raster CRS cells shrink towards the poles: each row's cells get the exact area
        of an ellipsoidal graticule quadrangle on the raster's ellipsoid (see
        :func:`cell_areas_geographic`), supplied to exactextract as a weight raster.
    Plan units
        A class area measured in the raster's CRS is finally scaled by the polygon's area in the
        plan CRS over its area measured the same way in the raster CRS (planar there, or on the
        ellipsoid). The class areas of a polygon fully covered by valid cells therefore add up to
        exactly the polygon's plan area (:func:`zoneplan.measure.area_m2`), whatever the raster's
        projection or scale distortion; ``covered_share`` says how much of each polygon has
        valid cells.
    Memory
        Features are processed one at a time and exactextract reads only the window each one
        needs, never more than ``max_cells_in_memory`` cells at once (a large polygon is done in
        pieces, :data:`MAX_CELLS`), so memory does not grow with the raster: a 20,000 × 20,000
        raster is summarised in bounded memory (``benchmarks/bench_raster.py``).

Functions take polygons (a GeoDataFrame in a projected CRS) or a plan and return tables aligned
to the polygons' index (:func:`class_areas`) or tidy long tables (:func:`zonal_stats`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio
import shapely
from exactextract import exact_extract
from exactextract.operation import Operation
from exactextract.raster import RasterSource
from rasterio.io import DatasetReader
from rasterio.windows import Window

from zoneplan.errors import InputError
from zoneplan.measure import basis_area_m2, ellipsoid_of, plan_area_basis
from zoneplan.plan import Plan
from zoneplan.raster.classes import ClassScheme, get_scheme
from zoneplan.units import M2_PER_MU

__all__ = [
    "LEVEL_LAYERS",
    "MAX_CELLS",
    "Level",
    "RasterLike",
    "as_level",
    "cell_areas_geographic",
    "class_areas",
    "group_polygons",
    "open_raster",
    "zonal_stats",
]

Level = Literal["zone", "district", "park", "phase", "parcel"]
RasterLike: TypeAlias = str | os.PathLike | DatasetReader

#: Grouping level → plan layer whose polygons are summarised.
LEVEL_LAYERS: dict[str, str] = {"zone": "zones", "district": "districts", "park": "parks", "phase": "phases", "parcel": "parcels"}


def as_level(by: str, *, what: str = "grouping level") -> Level:
    """``by`` as a raster grouping :data:`Level`, or an error naming ``what`` was given (e.g. ``"--by"``).

    Examples
    --------
    >>> as_level("parcel")
    'parcel'
    >>> as_level("county", what="--by")
    Traceback (most recent call last):
    ...
    zoneplan.errors.InputError: --by must be one of zone, district, park, phase, parcel, not 'county' (rule group-level)
    """
    for known in get_args(Level):
        if by == known:
            return known
    raise InputError(f"{what} must be one of {', '.join(get_args(Level))}, not {by!r}", rule="group-level")


#: Longest polygon edge (m) kept straight when polygons are reprojected to the raster CRS.
DENSIFY_M = 25.0
#: Most raster cells exactextract holds at once (a larger polygon is processed in pieces): the
#: memory bound, ~17 bytes a cell (value, mask, coverage fraction) above the interpreter's own.
MAX_CELLS = 4_000_000
#: GDAL block cache (MB) while a raster is open here (GDAL's default is 5 % of the machine's RAM).
GDAL_CACHE_MB = 64
#: Half-width (m) of the slivers and spikes removed before coverage is computed.
SLIVER_M = 0.01


@contextmanager
def open_raster(raster: RasterLike) -> Iterator[DatasetReader]:
    """Open ``raster`` (path or open dataset) for reading; a path is closed afterwards.

    Raises
    ------
    InputError
        When the file is missing, unreadable, has no CRS or a rotated grid.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> with open_raster(datasets.layers_dir() / "linqing_landcover_2018.tif") as ds:
    ...     print(ds.count, ds.crs.to_epsg() is not None)
    1 True
    """
    if isinstance(raster, DatasetReader):
        _check_raster(raster, raster.name)
        yield raster
        return
    path = Path(raster)
    if not path.exists():
        raise InputError("raster not found", file=path, rule="raster")
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB):
        try:
            ds = rasterio.open(path)
        except rasterio.errors.RasterioIOError as exc:
            raise InputError(f"cannot read raster: {exc}", file=path, rule="raster") from None
        try:
            _check_raster(ds, path)
            yield ds
        finally:
            ds.close()


def _check_raster(ds: DatasetReader, name: object) -> None:
    if ds.crs is None:
        raise InputError("raster has no CRS; assign one (gdal_edit.py -a_srs EPSG:…)", file=name, rule="raster-crs")
    t = ds.transform
    if t.b != 0 or t.d != 0:
        raise InputError("rotated raster grids are not supported; warp it to a north-up grid first", file=name, rule="raster-grid")


# -- raster sources handed to exactextract ----------------------------------------------------
class _Grid(RasterSource):
    """Grid metadata shared by the sources below: the extent, resolution and CRS of ``ds``."""

    def __init__(self, ds: DatasetReader, name: str) -> None:
        super().__init__()
        self.ds = ds
        self.set_name(name)

    def res(self) -> tuple[float, float]:
        return abs(self.ds.transform.a), abs(self.ds.transform.e)

    def extent(self) -> tuple[float, float, float, float]:
        b = self.ds.bounds
        return (b.left, b.bottom, b.right, b.top)

    def srs_wkt(self) -> str:
        return self.ds.crs.to_wkt()

    def nodata_value(self) -> None:
        return None  # masks are returned with the data


class ClassSource(_Grid):
    """Band of a classified raster as masked integers (native type); the declared nodata and the scheme's
    nodata value are masked. The last window read is cached for sources derived from it."""

    def __init__(self, ds: DatasetReader, *, band: int = 1, extra_nodata: int | None = None, name: str = "cls") -> None:
        super().__init__(ds, name)
        if not 1 <= band <= ds.count:
            raise InputError(f"raster has {ds.count} band(s), not band {band}", file=ds.name, rule="raster-band")
        self.band = band
        self.extra_nodata = extra_nodata
        self._key: tuple[int, int, int, int] | None = None
        self._arr: np.ma.MaskedArray | None = None

    def read_window(self, x0: int, y0: int, nx: int, ny: int) -> np.ma.MaskedArray:
        key = (x0, y0, nx, ny)
        if key != self._key or self._arr is None:
            arr = self.ds.read(self.band, window=Window(x0, y0, nx, ny), masked=True)
            mask = np.ma.getmaskarray(arr)
            if self.extra_nodata is not None:
                mask = mask | (arr.data == self.extra_nodata)
            self._arr = np.ma.MaskedArray(arr.data, mask=mask)
            self._key = key
        return self._arr


class _ValidSource(_Grid):
    """1.0 where ``base`` has a valid class, masked elsewhere (to sum valid cell areas)."""

    def __init__(self, base: ClassSource, name: str = "valid") -> None:
        super().__init__(base.ds, name)
        self.base = base

    def read_window(self, x0: int, y0: int, nx: int, ny: int) -> np.ma.MaskedArray:
        arr = self.base.read_window(x0, y0, nx, ny)
        return np.ma.MaskedArray(np.ones(arr.shape), mask=np.ma.getmaskarray(arr))


class _CellAreaSource(_Grid):
    """Ellipsoidal area (m²) of each cell of a geographic grid, computed per row."""

    def __init__(self, ds: DatasetReader, name: str = "cellarea") -> None:
        super().__init__(ds, name)
        t = ds.transform
        edges = t.f + t.e * np.arange(ds.height + 1)
        self._rows = cell_areas_geographic(edges[:-1], edges[1:], abs(t.a), crs=ds.crs)

    def read_window(self, x0: int, y0: int, nx: int, ny: int) -> np.ndarray:
        return np.repeat(self._rows[y0 : y0 + ny, None], nx, axis=1)


def cell_areas_geographic(lat_a: np.ndarray, lat_b: np.ndarray, dlon_deg: float, *, crs: object = 4326) -> np.ndarray:
    """Exact area (m²) of lon-lat cells between latitudes ``lat_a`` and ``lat_b`` (degrees), each
    ``dlon_deg`` wide, on the ellipsoid of ``crs``.

    The area of an ellipsoidal quadrangle is ``b²·Δλ/2 · |q(φ₂) − q(φ₁)|`` with
    ``q(φ) = sin φ / (1 − e² sin² φ) + artanh(e sin φ) / e`` (the authalic-latitude integral).

    Examples
    --------
    >>> a = cell_areas_geographic(np.array([0.0]), np.array([1.0]), 1.0)
    >>> round(float(a[0]) / 1e6, 1)  # one degree square at the equator on WGS84, km²
    12308.5
    """
    ellps = ellipsoid_of(pyproj.CRS.from_user_input(crs))
    a, b = ellps.a, ellps.b
    e = np.sqrt(1.0 - (b / a) ** 2)

    def q(lat: np.ndarray) -> np.ndarray:
        s = np.sin(np.radians(np.asarray(lat, dtype="float64")))
        return s / (1.0 - e * e * s * s) + np.arctanh(e * s) / e

    return b * b * np.radians(dlon_deg) / 2.0 * np.abs(q(lat_b) - q(lat_a))


# -- polygons in the raster CRS ----------------------------------------------------------------
def _to_raster_crs(polygons: gpd.GeoDataFrame, crs: rasterio.crs.CRS) -> tuple[gpd.GeoSeries, np.ndarray]:
    """Polygons reprojected to ``crs`` (densified) and their area measured in that CRS's terms:
    planar when projected, ellipsoidal (equal-area projection on its ellipsoid) when geographic."""
    target = pyproj.CRS.from_user_input(crs.to_wkt())
    # close slivers and spikes narrower than 2 cm (exactextract over-counts cells along a ring that
    # doubles back on itself); a mitred ±1 cm buffer leaves every other edge where it was
    geoms = polygons.geometry.buffer(-SLIVER_M, join_style="mitre").buffer(SLIVER_M, join_style="mitre")
    if pyproj.CRS.from_user_input(polygons.crs) == target:
        moved = geoms
    else:
        dense = geoms.segmentize(DENSIFY_M)
        # GEOS 3.14 segmentize collapses some valid rings (e.g. with a spike of near-repeated
        # vertices) to ~0 m²: keep those polygons as they are (straight edges, no densifying)
        broken = ~np.isclose(dense.area.to_numpy(), geoms.area.to_numpy(), rtol=1e-9, atol=1e-6)
        geoms = dense.where(~broken, geoms) if broken.any() else dense
        moved = geoms.to_crs(target)
    if not target.is_geographic:
        return moved, moved.area.to_numpy()
    lon_lat = moved
    cx, cy = np.nanmean(lon_lat.bounds[["minx", "maxx"]].to_numpy()), np.nanmean(lon_lat.bounds[["miny", "maxy"]].to_numpy())
    ellps = ellipsoid_of(target)
    laea = pyproj.CRS.from_proj4(f"+proj=laea +lat_0={cy} +lon_0={cx} +a={ellps.a} +b={ellps.b} +units=m +no_defs")
    return moved, lon_lat.to_crs(laea).area.to_numpy()


@dataclass(frozen=True)
class _Extract:
    """Raw result of one extraction: class areas (m², plan terms) per polygon position."""

    long: pd.DataFrame  # columns: pos, value, area_m2
    covered_m2: np.ndarray
    area_m2: np.ndarray


def _extract(
    polygons: gpd.GeoDataFrame,
    ds: DatasetReader,
    source: ClassSource,
    *,
    max_cells_in_memory: int,
    basis: str | Plan | None = None,
) -> _Extract:
    plan_area = basis_area_m2(polygons, basis).to_numpy()  # class areas are scaled to the polygon's area on the basis
    n = len(polygons)
    empty = pd.DataFrame({"pos": pd.Series([], dtype="int64"), "value": pd.Series([], dtype="int64"), "area_m2": pd.Series([], dtype="float64")})
    if n == 0:
        return _Extract(empty, np.zeros(0), plan_area)
    moved, raster_area = _to_raster_crs(polygons, ds.crs)
    # only polygons that reach the raster are handed to exactextract
    b = ds.bounds
    hits = moved.intersects(shapely.box(b.left, b.bottom, b.right, b.top)).to_numpy() & ~moved.is_empty.to_numpy()
    feats = gpd.GeoDataFrame({"pos": np.flatnonzero(hits)}, geometry=moved[hits].to_numpy(), crs=moved.crs)
    covered = np.zeros(n)
    if not len(feats):
        return _Extract(empty, covered, plan_area)
    if ds.crs.is_geographic:
        weights = _CellAreaSource(ds)
        valid = _ValidSource(source)
        ops = [
            Operation("unique", "unique", source, weights),
            Operation("weighted_frac", "frac", source, weights),
            Operation("weighted_sum", "covered", valid, weights),
        ]
    else:
        ops = [
            Operation("unique", "unique", source),
            Operation("frac", "frac", source),
            Operation("count", "covered", source),  # Σ coverage fraction of valid cells
        ]
        cell_m2 = abs(ds.transform.a * ds.transform.e)
    out = exact_extract(source, feats, ops, include_cols=["pos"], output="pandas", max_cells_in_memory=max_cells_in_memory)
    pos = out["pos"].to_numpy(dtype="int64")
    scale = np.divide(plan_area[pos], raster_area[pos], out=np.ones(len(pos)), where=raster_area[pos] > 0)
    covered_raw = out["covered"].to_numpy(dtype="float64")
    if not ds.crs.is_geographic:
        covered_raw = covered_raw * cell_m2
    covered[pos] = np.nan_to_num(covered_raw) * scale
    lens = out["unique"].map(len).to_numpy()
    if lens.sum() == 0:
        return _Extract(empty, covered, plan_area)
    values = np.concatenate([np.asarray(u, dtype="float64") for u in out["unique"]]).astype("int64")
    fracs = np.concatenate([np.asarray(f, dtype="float64") for f in out["frac"]])
    rep = np.repeat(np.arange(len(pos)), lens)
    long = pd.DataFrame({"pos": pos[rep], "value": values, "area_m2": fracs * covered[pos][rep]})
    return _Extract(long, covered, plan_area)


def _scheme_source(ds: DatasetReader, scheme: ClassScheme, band: int) -> ClassSource:
    return ClassSource(ds, band=band, extra_nodata=scheme.nodata)


def _check_polygons(polygons: gpd.GeoDataFrame) -> None:
    if polygons.crs is None:
        raise InputError("polygons have no CRS", rule="crs")


def class_areas(
    polygons: gpd.GeoDataFrame,
    raster: RasterLike,
    *,
    scheme: str | Path | ClassScheme = "worldcover",
    band: int = 1,
    unit: str = "m2",
    max_cells_in_memory: int = MAX_CELLS,
    basis: str | Plan | None = None,
) -> pd.DataFrame:
    """Area of each land-cover class inside each polygon.

    Parameters
    ----------
    polygons
        Polygons in a projected CRS (metres), e.g. ``plan.parcels``.
    raster
        Classified raster (path or open rasterio dataset) in any CRS.
    scheme
        Class scheme (name, CSV path or :class:`~zoneplan.raster.classes.ClassScheme`).
    band
        1-based band index.
    unit
        Area unit of the result: ``m2``, ``mu``, ``ha`` or ``km2``.
    max_cells_in_memory
        Upper bound of cells exactextract holds at once.
    basis
        Area basis the class areas add up to (a polygon's classes sum to its area on it,
        :func:`zoneplan.measure.basis_area_m2`): ``"planar"``, ``"ellipsoidal"`` or a plan (its
        basis); None: ``settings.area_basis``.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``polygons.index``: one column per class value of the scheme (integers, in
        scheme order, then any value the raster holds that the scheme lacks), areas in ``unit``
        in the plan CRS's terms; 0 where the class is absent.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> raster = datasets.layers_dir() / "linqing_landcover_2023.tif"
    >>> areas = class_areas(plan.parcels.head(3), raster, unit="mu", basis=plan)  # on the plan's basis (planar)
    >>> areas[[30, 40, 50]].round(2).to_numpy().tolist()  # grass, cropland, built-up mu per parcel
    [[0.84, 492.23, 6.93], [0.31, 36.94, 1.75], [9.97, 0.08, 79.95]]
    """
    from zoneplan.units import AREA_UNITS

    if unit not in AREA_UNITS:
        raise ValueError(f"unknown area unit {unit!r}; expected one of {sorted(AREA_UNITS)}")
    _check_polygons(polygons)
    sch = get_scheme(scheme)
    with open_raster(raster) as ds:
        ex = _extract(polygons, ds, _scheme_source(ds, sch, band), max_cells_in_memory=max_cells_in_memory, basis=basis)
    return _wide(ex, polygons.index, sch) / AREA_UNITS[unit]


def _wide(ex: _Extract, index: pd.Index, scheme: ClassScheme) -> pd.DataFrame:
    extra = sorted(set(ex.long["value"].unique()) - set(scheme.values))
    columns = [*scheme.values, *extra]
    table = ex.long.pivot_table(index="pos", columns="value", values="area_m2", aggfunc="sum")
    table = table.reindex(index=range(len(index)), columns=columns, fill_value=0.0).fillna(0.0)
    table.index = index
    table.columns = pd.Index([int(c) for c in columns], name="value")
    return table.astype("float64")


def group_polygons(plan: Plan, by: Level) -> gpd.GeoDataFrame:
    """The polygons of grouping level ``by`` with their id in column ``group_id``: the layer of
    :func:`zoneplan.analysis.grouping.group_layer` for zone/district/park/phase, the parcels
    (``parcel_id``) for ``"parcel"``.

    Raises
    ------
    InputError
        For an unknown level or a plan without that layer.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> polygons = group_polygons(datasets.load("linqing"), "park")
    >>> len(polygons), list(polygons.columns)
    (8, ['group_id', 'geometry'])
    """
    from zoneplan.analysis.grouping import group_layer

    by = as_level(by)
    if by == "parcel":
        parcels = plan.parcels
        ids = parcels["parcel_id"].astype("string") if "parcel_id" in parcels.columns else pd.Series(pd.NA, index=parcels.index, dtype="string")
        gdf = gpd.GeoDataFrame({"group_id": ids.to_numpy()}, geometry=parcels.geometry.to_numpy(), crs=parcels.crs, index=parcels.index)
    else:
        gdf = group_layer(plan, by)
    if gdf.empty:
        raise InputError(f"plan has no {LEVEL_LAYERS[by]} to group by", layer=LEVEL_LAYERS[by], rule="group-level")
    return gdf


def zonal_stats(
    plan: Plan,
    raster: RasterLike,
    *,
    by: Level = "zone",
    scheme: str | Path | ClassScheme = "worldcover",
    band: int = 1,
    max_cells_in_memory: int = MAX_CELLS,
) -> pd.DataFrame:
    """Land-cover class areas per zone, district, park, phase or parcel of a plan, in m² and mu.

    Parameters
    ----------
    plan
        The plan.
    raster
        Classified raster (any CRS).
    by
        Grouping level: the polygons of ``zones``, ``districts``, ``parks``, ``phases`` or
        ``parcels``.
    scheme, band, max_cells_in_memory
        As in :func:`class_areas`.

    Returns
    -------
    pandas.DataFrame
        One row per group and class present, columns ``level, group_id, value, class, name_zh,
        built, area_m2, area_mu, share`` (of the group's covered area), ``group_area_mu`` and
        ``covered_share`` (share of the group's polygon with valid cells), sorted by group and
        value; areas on the plan's basis (:func:`zoneplan.measure.plan_area_basis`).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> table = zonal_stats(plan, datasets.layers_dir() / "linqing_landcover_2023.tif", by="district")
    >>> sorted(table["group_id"].unique().tolist()), list(table.columns)[:4]
    (['linqing-city', 'linqing-yandian'], ['level', 'group_id', 'value', 'class'])
    """
    polygons = group_polygons(plan, by)
    sch = get_scheme(scheme)
    with open_raster(raster) as ds:
        ex = _extract(polygons, ds, _scheme_source(ds, sch, band), max_cells_in_memory=max_cells_in_memory, basis=plan_area_basis(plan))
    return _tidy(ex, polygons["group_id"].to_numpy(), by, sch)


def _tidy(ex: _Extract, ids: Sequence[object], level: str, scheme: ClassScheme) -> pd.DataFrame:
    long = ex.long[ex.long["area_m2"] > 0]
    pos = long["pos"].to_numpy()
    table = scheme.table
    values = long["value"].to_numpy()
    known = np.isin(values, table.index.to_numpy())
    names = np.array([scheme.label(int(v)) for v in values], dtype=object)
    name_zh = np.where(known, table["name_zh"].reindex(values).to_numpy(dtype=object, na_value=None), None)
    built = np.where(known, table["built"].reindex(values).fillna(False).to_numpy(dtype=bool), False)
    covered = ex.covered_m2[pos]
    out = pd.DataFrame(
        {
            "level": level,
            "group_id": np.asarray(ids, dtype=object)[pos],
            "value": values.astype("int64"),
            "class": names,
            "name_zh": name_zh,
            "built": built.astype(bool),
            "area_m2": long["area_m2"].to_numpy(),
            "area_mu": long["area_m2"].to_numpy() / M2_PER_MU,
            "share": np.divide(long["area_m2"].to_numpy(), covered, out=np.zeros(len(pos)), where=covered > 0),
            "group_area_mu": ex.area_m2[pos] / M2_PER_MU,
            "covered_share": np.divide(covered, ex.area_m2[pos], out=np.zeros(len(pos)), where=ex.area_m2[pos] > 0),
        }
    )
    return out.sort_values(["group_id", "value"], kind="stable").reset_index(drop=True)
