import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from tests.conftest import X0, Y0
from zoneplan import crs as zcrs
from zoneplan.errors import CRSError
from zoneplan.measure import area_in, area_m2


@pytest.mark.parametrize("lon,epsg", [(115.70, 4548), (118.05, 4548), (116.49, 4548), (114.0, 4547), (120.4, 4549), (75.1, 4534), (134.9, 4554)])
def test_gk_zone_by_longitude(lon, epsg):
    assert zcrs.gk_epsg(lon) == epsg


def test_gk_zone_outside_china_is_refused():
    with pytest.raises(CRSError, match="outside China"):
        zcrs.gk_epsg(10.0)


def _lonlat_square(side: float = 1000.0) -> gpd.GeoDataFrame:
    sq = shapely.segmentize(shapely.box(X0, Y0, X0 + side, Y0 + side), 10.0)
    return gpd.GeoDataFrame(geometry=[sq], crs=4548).to_crs(4326)


def test_lonlat_square_is_1500_mu_and_agrees_with_geodesic():
    ll = _lonlat_square()
    projected = zcrs.to_working_crs(ll)
    assert projected.crs.to_epsg() == 4548
    mu = area_in(projected, "mu").iloc[0]
    assert mu == pytest.approx(1500.0, rel=5e-4)
    geod_m2, _ = pyproj.Geod(ellps="GRS80").geometry_area_perimeter(ll.geometry.iloc[0])
    # GK at ~1.3° from the central meridian scales areas by ~1.0005: both agree within 0.05 %.
    assert abs(geod_m2) / (10000 / 15) == pytest.approx(mu, rel=5e-4)


def test_area_in_geographic_crs_is_refused():
    with pytest.raises(CRSError, match="geographic"):
        area_m2(_lonlat_square())


def test_no_crs_is_refused_unless_named():
    gdf = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 10, Y0 + 10)])
    with pytest.raises(CRSError, match="no CRS"):
        zcrs.to_working_crs(gdf)
    assert zcrs.to_working_crs(gdf, crs=4548).crs.to_epsg() == 4548


def test_gcj02_offset_near_linqing_and_exact_inverse():
    lon, lat = 115.70, 36.84
    glon, glat = zcrs.wgs84_to_gcj02(lon, lat)
    geod = pyproj.Geod(ellps="WGS84")
    _, _, dist = geod.inv(lon, lat, glon, glat)
    assert 450 < dist < 600  # ~520 m near Linqing
    back_lon, back_lat = zcrs.gcj02_to_wgs84(glon, glat)
    _, _, err = geod.inv(lon, lat, back_lon, back_lat)
    assert err < 0.5


def test_gcj02_is_identity_outside_china():
    lon, lat = zcrs.wgs84_to_gcj02(np.array([-0.12]), np.array([51.5]))
    assert lon[0] == -0.12 and lat[0] == 51.5


def test_gcj02_polygon_roundtrip_through_working_crs():
    ll = _lonlat_square(500.0)
    shifted = ll.set_geometry(zcrs.geometry_to_gcj02(ll.geometry.values))
    # read as GCJ-02: back on the true ground
    restored = zcrs.to_working_crs(shifted, gcj02=True)
    truth = ll.to_crs(4548)
    assert restored.geometry.iloc[0].hausdorff_distance(truth.geometry.iloc[0]) < 0.5
    # read naively: off by ~500 m
    naive = zcrs.to_working_crs(shifted)
    assert naive.geometry.iloc[0].centroid.distance(truth.geometry.iloc[0].centroid) > 400


def test_gcj02_requires_lonlat():
    gdf = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 10, Y0 + 10)], crs=4548)
    with pytest.raises(CRSError, match="lon-lat"):
        zcrs.to_working_crs(gdf, gcj02=True)
