"""Zonal class areas from synthetic rasters whose answers are known."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from tests.conftest import X0, Y0, box
from zoneplan.errors import InputError
from zoneplan.plan import Plan
from zoneplan.raster import class_areas, get_scheme, read_class_table, zonal_stats
from zoneplan.raster.zonal import cell_areas_geographic


def write_raster(path: Path, arr: np.ndarray, *, crs: str, transform, nodata: int | None = 0) -> Path:
    with rasterio.open(
        path, "w", driver="GTiff", width=arr.shape[1], height=arr.shape[0], count=1, dtype=arr.dtype, crs=crs, transform=transform, nodata=nodata
    ) as ds:
        ds.write(arr, 1)
    return path


@pytest.fixture
def gk_raster(tmp_path: Path) -> Path:
    """200 m × 200 m at 10 m in EPSG:4548: west half built-up (50), east half cropland (40),
    top two rows no data (0)."""
    arr = np.full((20, 20), 40, dtype="uint8")
    arr[:, :10] = 50
    arr[:2, :] = 0
    return write_raster(tmp_path / "gk.tif", arr, crs="EPSG:4548", transform=from_origin(X0, Y0 + 200, 10, 10))


def test_partial_pixels_cut_by_polygon_edges(gk_raster: Path) -> None:
    polys = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"]},
        # a: 100 × 50 m starting half a pixel in: 95 m over built-up, 5 m over cropland
        # b: half outside the raster and partly over the no-data rows
        # c: a triangle over the built-up half
        geometry=[box(5, 5, 100, 50), box(150, 150, 100, 100), shapely.Polygon([(X0 + 3, Y0 + 3), (X0 + 93, Y0 + 3), (X0 + 3, Y0 + 93)])],
        crs=4548,
        index=[10, 20, 30],
    )
    areas = class_areas(polys, gk_raster)
    assert list(areas.index) == [10, 20, 30]
    assert areas.loc[10, 50] == pytest.approx(95 * 50, rel=1e-9)
    assert areas.loc[10, 40] == pytest.approx(5 * 50, rel=1e-9)
    # b: valid part x 150..200, y 150..180 (rows above 180 m are no data) → 50 × 30 m of cropland
    assert areas.loc[20, 40] == pytest.approx(1500.0, rel=1e-9)
    assert areas.loc[20, 50] == 0.0
    assert areas.loc[30, 50] == pytest.approx(90 * 90 / 2, rel=1e-9)
    assert areas.loc[30].drop(50).sum() == 0.0
    mu = class_areas(polys, gk_raster, unit="mu")
    assert mu.loc[10, 50] == pytest.approx(95 * 50 / (10000 / 15), rel=1e-9)


def _plan(polys: gpd.GeoDataFrame) -> Plan:
    zones = polys.assign(zone_id=[f"Z{i}" for i in range(len(polys))])
    return Plan({"zones": zones[["zone_id", "geometry"]]})


def test_zonal_stats_tidy_with_shares(gk_raster: Path) -> None:
    plan = _plan(gpd.GeoDataFrame(geometry=[box(5, 5, 100, 50), box(150, 150, 100, 100)], crs=4548))
    out = zonal_stats(plan, gk_raster, by="zone")
    z0 = out[out["group_id"] == "Z0"].set_index("value")
    assert list(z0.index) == [40, 50]
    assert z0.loc[50, "area_mu"] == pytest.approx(4750 / (10000 / 15))
    assert z0.loc[50, "share"] == pytest.approx(0.95)
    assert bool(z0.loc[50, "built"]) and not bool(z0.loc[40, "built"])
    assert z0.loc[50, "name_zh"] == "建成区"
    assert z0.loc[50, "covered_share"] == pytest.approx(1.0)
    z1 = out[out["group_id"] == "Z1"]
    assert len(z1) == 1 and z1["covered_share"].iloc[0] == pytest.approx(1500 / 10000)
    assert z1["group_area_mu"].iloc[0] == pytest.approx(10000 / (10000 / 15))


def _split_raster(tmp_path: Path, crs: str, bounds: tuple[float, float, float, float], res: float, split_y: float) -> Path:
    """Raster over ``bounds`` in ``crs``: built-up (50) north of ``split_y``, cropland (40) south."""
    minx, miny, maxx, maxy = bounds
    width, height = int(np.ceil((maxx - minx) / res)), int(np.ceil((maxy - miny) / res))
    centres_y = maxy - res * (np.arange(height) + 0.5)
    arr = np.where(centres_y[:, None] >= split_y, 50, 40).astype("uint8").repeat(width, axis=1)
    return write_raster(tmp_path / f"split_{crs.replace(':', '_')}.tif", arr, crs=crs, transform=from_origin(minx, maxy, res, res))


def _move(geom: shapely.Geometry, t: pyproj.Transformer) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def _expected_north_south(polygon: shapely.Polygon, crs: str, split_y: float) -> tuple[float, float]:
    """Vector answer: the raster's northern half-plane (in ``crs``) carried into EPSG:4548 and
    intersected with ``polygon`` there."""
    to_r = pyproj.Transformer.from_crs(4548, crs, always_xy=True)
    poly_r = _move(shapely.segmentize(polygon, 5.0), to_r)
    minx, _miny, maxx, maxy = poly_r.bounds
    north_r = shapely.segmentize(shapely.box(minx - 1, split_y, maxx + 1, maxy + 1), (maxx - minx) / 200)
    back = pyproj.Transformer.from_crs(crs, 4548, always_xy=True)
    north = _move(north_r, back)
    a_north = polygon.intersection(north).area
    return a_north, polygon.area - a_north


@pytest.mark.parametrize("crs", ["EPSG:32650", "EPSG:4326"])
def test_raster_in_another_crs(tmp_path: Path, crs: str) -> None:
    # an oblique quadrilateral parcel of ~16 ha in EPSG:4548
    parcel = shapely.Polygon([(X0 + 13, Y0 + 7), (X0 + 420, Y0 + 60), (X0 + 395, Y0 + 433), (X0 + 40, Y0 + 380)])
    t = pyproj.Transformer.from_crs(4548, crs, always_xy=True)
    minx, miny, maxx, maxy = _move(parcel, t).bounds
    res = 10.0 if crs != "EPSG:4326" else 1e-4
    pad = 5 * res
    bounds = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    # the class boundary cuts the parcel off the pixel grid: cells straddle the parcel's edges
    split = miny + 0.47 * (maxy - miny)
    split = bounds[3] - res * np.round((bounds[3] - split) / res)  # on a row edge
    raster = _split_raster(tmp_path, crs, bounds, res, split)
    areas = class_areas(gpd.GeoDataFrame(geometry=[parcel], crs=4548), raster)
    north, south = _expected_north_south(parcel, crs, split)
    # the issue asks for 0.5 %; exact coverage and exact cell areas do far better
    assert areas.loc[0, 50] == pytest.approx(north, rel=1e-4)
    assert areas.loc[0, 40] == pytest.approx(south, rel=1e-4)
    # fully covered: the classes add up to the parcel's exact plan area
    assert areas.loc[0].sum() == pytest.approx(parcel.area, rel=1e-6)


def test_geographic_raster_without_rescaling_matches_ellipsoid(tmp_path: Path) -> None:
    """The per-cell ellipsoidal areas themselves: a 0.01° square cell near Linqing agrees with
    Karney's geodesic polygon area, and rows nearer the pole are smaller."""
    lat0 = 36.84
    ours = cell_areas_geographic(np.array([lat0]), np.array([lat0 + 0.01]), 0.01, crs=4490)[0]
    geod = pyproj.Geod(ellps="GRS80")
    lons = [115.70, 115.71, 115.71, 115.70]
    lats = [lat0, lat0, lat0 + 0.01, lat0 + 0.01]
    area, _ = geod.polygon_area_perimeter(lons, lats)
    assert ours == pytest.approx(abs(area), rel=1e-6)
    rows = cell_areas_geographic(np.array([10.0, 50.0]), np.array([10.01, 50.01]), 0.01)
    assert rows[1] < rows[0]


def test_user_class_table(tmp_path: Path, gk_raster: Path) -> None:
    csv = tmp_path / "classes.csv"
    csv.write_text("value,name,name_zh,built\n40,Farm,农田,否\n50,Town,城镇,是\n", encoding="utf-8")
    scheme = read_class_table(csv)
    assert scheme.built_values == [50]
    areas = class_areas(gpd.GeoDataFrame(geometry=[box(5, 5, 100, 50)], crs=4548), gk_raster, scheme=str(csv))
    assert list(areas.columns) == [40, 50]
    assert areas.loc[0, 50] == pytest.approx(4750.0)
    bad = tmp_path / "bad.csv"
    bad.write_text("value,name,built\n40,Farm,maybe\n", encoding="utf-8")
    with pytest.raises(InputError, match="built must be true/false"):
        read_class_table(bad)


def test_builtin_schemes() -> None:
    wc = get_scheme("worldcover")
    assert wc.values == [10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100]
    assert wc.built_values == [50]
    assert get_scheme("clcd").built_values == [8]
    lu = get_scheme("landuse")
    industrial = lu.table.index[lu.table["code"] == "100101"][0]
    assert bool(lu.table.at[industrial, "built"]) and not bool(lu.table.loc[lu.table["code"] == "0101", "built"].iloc[0])
    with pytest.raises(InputError, match="unknown class scheme"):
        get_scheme("modis")


def test_bad_inputs(tmp_path: Path, gk_raster: Path) -> None:
    polys = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10)], crs=4548)
    with pytest.raises(InputError, match="raster not found"):
        class_areas(polys, tmp_path / "missing.tif")
    with pytest.raises(InputError, match="no parks"):
        zonal_stats(_plan(polys), gk_raster, by="park")
    with pytest.raises(InputError, match="1 band"):
        class_areas(polys, gk_raster, band=2)
    assert isinstance(class_areas(polys.iloc[:0], gk_raster), pd.DataFrame)


def test_ring_with_a_near_repeated_vertex_in_another_crs(tmp_path: Path) -> None:
    """A valid parcel of the Linqing sample plan whose ring doubles back along a thin spike and
    repeats its closing vertex 7e-11 m off: GEOS 3.14 ``segmentize`` collapses it to ~0 m², and
    exactextract over-counts its cells by 4 % in UTM. It must still be measured exactly."""
    ring = [
        (385251.85333183047, 4081024.2375277714),
        (385252.9434652613, 4081015.9335927493),
        (385571.2616216196, 4081055.2103619142),
        (385589.89633847174, 4080904.185425714),
        (385838.77020096814, 4080934.8935966077),
        (385272.7508964108, 4080865.0533274882),
        (385250.71858235786, 4081032.8813190903),
        (385251.8533318304, 4081024.2375277714),
        (385251.85333183047, 4081024.2375277714),
    ]
    parcel = shapely.Polygon(ring)
    t = pyproj.Transformer.from_crs(4548, "EPSG:32650", always_xy=True)
    minx, miny, maxx, maxy = _move(parcel, t).bounds
    raster = _split_raster(tmp_path, "EPSG:32650", (minx - 50, miny - 50, maxx + 50, maxy + 50), 10.0, miny - 100)  # all built-up
    areas = class_areas(gpd.GeoDataFrame(geometry=[parcel], crs=4548), raster)
    assert areas.loc[0, 50] == pytest.approx(parcel.area, rel=1e-6)


def test_big_polygons_are_read_in_pieces(gk_raster: Path) -> None:
    """A polygon spanning more cells than ``max_cells_in_memory`` is processed window by window
    and gives the same areas as in one read."""
    polys = gpd.GeoDataFrame(geometry=[box(5, 5, 190, 170)], crs=4548)
    whole = class_areas(polys, gk_raster)
    pieces = class_areas(polys, gk_raster, max_cells_in_memory=25)
    assert whole.loc[0, 50] == pytest.approx(95 * 170) and whole.loc[0, 40] == pytest.approx(95 * 170)
    pd.testing.assert_frame_equal(whole, pieces, rtol=1e-12)
