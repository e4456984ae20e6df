"""Ellipsoidal area (国土调查办发〔2008〕32号) against an independent geodesic area, and planar ≥ ellipsoidal.

Agreement measured here (CGCS2000, 36.8°N, CM 117°E; the assertions bound these figures):

=============================  ===================  =======================  ==================
case                           planar/ellipsoidal   vs pyproj.Geod, edges    vs pyproj.Geod,
                               − 1                  densified to 5 m         raw vertices
=============================  ===================  =======================  ==================
parcels at 0° (0–1.2 km)       2.7e-10 … 2.7e-8     ≤ 2.9e-9                 ≤ 2.1e-10
parcels at 0.7° (62 km)        9.6e-5 … 9.9e-5      ≤ 1.1e-9                 ≤ 7.8e-10
parcels at 1.4° (125 km)       3.85e-4 … 3.91e-4    ≤ 3.7e-10                ≤ 1.4e-9
8 km zone at 0° / 0.7° / 1.4°  1.1e-7 / 9.6e-5 /    ≤ 1e-11                  ≤ 9.4e-10
                               3.85e-4
=============================  ===================  =======================  ==================

Geod's edges are geodesics, zoneplan's are the straight lines of the Gauss–Krüger plane (the
lines the parcels were drawn with); with the plane's edges densified both measure the same shape
and agree to 1e-9, far below the planar/ellipsoidal gap.
"""

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from zoneplan.measure import (
    BEIJING54,
    CGCS2000,
    MOMENT_MAX_WIDTH_M,
    XIAN80,
    _meridian_integral,
    _moment_area,
    _transverse_mercator,
    _trapezoid_area,
    _trapezoid_bracket,
    area_m2,
    basis_area_m2,
    ellipsoid_of,
    ellipsoidal_area_m2,
    sheet_theoretical_area_m2,
    trapezoid_coefficients,
)

LAT = 36.8
CM = 117.0  # EPSG:4548
GEOD = pyproj.Geod(a=CGCS2000.a, rf=CGCS2000.rf)


def _origin(offset_deg: float, crs: int = 4548) -> tuple[float, float]:
    return pyproj.Transformer.from_crs(4490, crs, always_xy=True).transform(CM + offset_deg, LAT)


def _parcels(offset_deg: float, crs: int = 4548) -> gpd.GeoSeries:
    """Parcels as plans draw them: rectangles, a trapezoid, a triangle, one with a courtyard hole, a two-part parcel."""
    x, y = _origin(offset_deg, crs)
    geoms = [
        shapely.box(x, y, x + 180, y + 120),
        shapely.Polygon([(x + 200, y), (x + 520, y + 30), (x + 480, y + 260), (x + 230, y + 240)]),
        shapely.Polygon([(x, y + 300), (x + 300, y + 340), (x + 120, y + 560)]),
        shapely.box(x + 600, y, x + 900, y + 300).difference(shapely.box(x + 680, y + 80, x + 780, y + 200)),
        shapely.MultiPolygon([shapely.box(x + 950, y, x + 1050, y + 90), shapely.box(x + 1070, y, x + 1150, y + 60)]),
    ]
    return gpd.GeoSeries(geoms, index=[f"P{i}" for i in range(1, 6)], crs=crs)


def _zone(offset_deg: float) -> gpd.GeoSeries:
    """An irregular 8 km zone outline (48 vertices, edges ~ 500 m) with an excluded village."""
    x, y = _origin(offset_deg)
    theta = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    r = 4000 * (1 + 0.15 * np.sin(3 * theta) + 0.08 * np.cos(7 * theta))
    outline = shapely.Polygon(np.column_stack([x + r * np.cos(theta), y + r * np.sin(theta)]))
    return gpd.GeoSeries([outline.difference(shapely.box(x - 400, y - 300, x + 500, y + 350))], index=["Z1"], crs=4548)


def _geod_area(series: gpd.GeoSeries, *, densify_m: float | None) -> np.ndarray:
    geoms = shapely.segmentize(series.values, densify_m) if densify_m else series.values
    lonlat = gpd.GeoSeries(geoms, crs=series.crs).to_crs(series.crs.geodetic_crs)
    return np.array([abs(GEOD.geometry_area_perimeter(g)[0]) for g in lonlat])


@pytest.mark.parametrize("offset_deg", [0.0, 0.7, 1.4])
@pytest.mark.parametrize("shapes", [_parcels, _zone])
def test_national_method_agrees_with_geodesic_area_and_is_never_above_planar(shapes, offset_deg):
    s = shapes(offset_deg)
    ell = ellipsoidal_area_m2(s)
    planar = area_m2(s)
    assert list(ell.index) == list(s.index)
    # the same shape (the GK plane's straight edges) measured by pyproj's geodesic polygon area
    dense = _geod_area(s, densify_m=5.0)
    np.testing.assert_allclose(ell.to_numpy(), dense, rtol=5e-9)
    # Geod on the raw vertices joins them by geodesics instead, which this close are GK's straight lines
    raw = _geod_area(s, densify_m=None)
    np.testing.assert_allclose(ell.to_numpy(), raw, rtol=5e-9)
    # the method's users' check: never above the plane area; the gap is the GK areal scale
    assert (ell <= planar).all()
    gap = (planar / ell - 1).to_numpy()
    y_km = 0.0 if offset_deg == 0 else {0.7: 62.4, 1.4: 124.8}[offset_deg]
    expected = (y_km * 1e3) ** 2 / (6_371_000.0**2)  # areal scale ≈ 1 + y²/R²
    assert np.all(np.abs(gap - expected) < 0.06 * expected + 3e-7)


def _random_parcels(crs: int, offset_deg: float, n: int, seed: int) -> gpd.GeoSeries:
    """Parcels as survey data has them: 3–12 vertices, 20 m … 1.8 km, either ring direction, some
    with a courtyard hole, some in two parts."""
    rng = np.random.default_rng(seed)
    lon0 = pyproj.CRS(crs).coordinate_operation.params[1].value
    x, y = pyproj.Transformer.from_crs(4490, crs, always_xy=True).transform(lon0 + offset_deg, LAT)
    out = []
    for i in range(n):
        size = rng.choice([20.0, 120.0, 400.0, 1200.0])
        k = int(rng.integers(3, 12))
        ang = np.sort(rng.uniform(0, 2 * np.pi, k))
        r = rng.uniform(0.4, 0.5, k) * size
        cx, cy = x + rng.uniform(-5000, 5000), y + rng.uniform(-5000, 5000)
        poly = shapely.Polygon(np.column_stack([cx + r * np.cos(ang), cy + r * np.sin(ang)])).buffer(0)
        if i % 2:
            poly = poly.reverse()
        if i % 5 == 0:
            poly = poly.difference(shapely.Point(cx, cy).buffer(size / 8))
        if i % 7 == 0:
            poly = shapely.MultiPolygon([poly, shapely.box(cx + size, cy, cx + 1.2 * size, cy + 0.3 * size)])
        assert poly.is_valid and poly.area > 0
        out.append(poly)
    return gpd.GeoSeries(out, crs=crs)


@pytest.mark.parametrize(
    "crs,offset_deg",
    [(4548, 0.0), (4548, 1.4), (4527, 0.7), (2384, 1.4), (2436, 0.5), (32650, 2.9), (4499, 2.9)],
    ids=["cgcs2000-cm", "cgcs2000-1.4deg", "zone-numbered", "xian80", "beijing54", "utm-k0.9996", "gk-6deg-zone-edge"],
)
def test_closed_form_of_small_parcels_equals_the_trapezoid_sum_of_the_drawn_shape(crs, offset_deg):
    """Parcels ≤ 2 km wide are measured from their planar moments and the plane's scale
    (:func:`_moment_area`); the reference is the trapezoid sum of the same drawn shape with its
    edges densified to 1/400 of the parcel's perimeter and Simpson's sliver term (an error falling
    as the fourth power of the segment), one parcel at a time (a reference meridian through the
    parcel, so no roundoff from a distant one)."""
    s = _random_parcels(crs, offset_deg, 60, seed=crs)
    proj = pyproj.CRS(crs)
    ell = ellipsoid_of(proj)
    geoms = np.asarray(s.values, dtype=object)
    fast = _moment_area(geoms, proj, ell, _transverse_mercator(proj))
    ref = np.array(
        [_trapezoid_area(np.array([shapely.segmentize(g, max(0.05, shapely.length(g) / 400))], dtype=object), proj, ell, "straight")[0] for g in geoms]
    )
    np.testing.assert_allclose(fast, ref, rtol=3e-10)
    b = shapely.bounds(geoms)
    small = np.hypot(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) <= MOMENT_MAX_WIDTH_M
    assert small.sum() >= 40
    public = ellipsoidal_area_m2(s).to_numpy()
    np.testing.assert_allclose(public[small], fast[small], rtol=1e-13)  # the public measure takes this path up to 2 km wide …
    np.testing.assert_allclose(public[~small], _trapezoid_area(geoms[~small], proj, ell, "straight"), rtol=1e-13)  # … and the trapezoid sum beyond
    assert (fast < s.area.to_numpy()).all()  # a Transverse Mercator plane enlarges every area (k ≥ k₀ … here k > 1 or k₀ < 1)


def test_wide_features_and_other_planes_take_the_trapezoid_sum():
    zone = _zone(0.7)
    assert shapely.bounds(zone.values)[0, 2] - shapely.bounds(zone.values)[0, 0] > MOMENT_MAX_WIDTH_M
    proj = pyproj.CRS(4548)
    exact = _trapezoid_area(np.asarray(zone.values, dtype=object), proj, CGCS2000, "straight")
    assert ellipsoidal_area_m2(zone).to_numpy()[0] == exact[0]
    assert _transverse_mercator(pyproj.CRS(3857)) is None and _transverse_mercator(pyproj.CRS(4490)) is None
    albers = _parcels(0.0).to_crs("+proj=aea +lat_1=25 +lat_2=47 +lon_0=105 +ellps=GRS80 +units=m")
    exact = _trapezoid_area(np.asarray(albers.values, dtype=object), pyproj.CRS(albers.crs), CGCS2000, "straight")
    np.testing.assert_array_equal(ellipsoidal_area_m2(albers).to_numpy(), exact)
    np.testing.assert_allclose(exact, ellipsoidal_area_m2(_parcels(0.0)).to_numpy(), rtol=2e-6)  # one shape, two planes (reprojected vertices)


def test_blocks_and_mixed_layers_keep_every_feature_in_place():
    """More features than one block, wide and small mixed, missing and empty: each area lands on its own row."""
    small = _random_parcels(4548, 0.7, 40, seed=3)
    zone = _zone(0.7)
    geoms = np.concatenate([np.tile(np.asarray(small.values, dtype=object), 900), np.asarray(zone.values, dtype=object), [None, shapely.Polygon()]])
    rng = np.random.default_rng(0)
    order = rng.permutation(len(geoms))
    s = gpd.GeoSeries(geoms[order], index=pd.RangeIndex(len(geoms)) * 3, crs=4548)
    got = ellipsoidal_area_m2(s)
    assert list(got.index) == list(s.index)
    one_by_one = np.concatenate([ellipsoidal_area_m2(small).to_numpy()] * 900 + [ellipsoidal_area_m2(zone).to_numpy(), [np.nan, 0.0]])[order]
    np.testing.assert_allclose(got.to_numpy(), one_by_one, rtol=1e-12)
    assert np.isnan(got.to_numpy()[order == len(geoms) - 2]).all()


def test_vertices_only_is_the_notice_sum_and_differs_by_the_edge_sliver():
    s = _parcels(0.7)
    straight = ellipsoidal_area_m2(s)
    vertices = ellipsoidal_area_m2(s, edges="vertices")
    rectangle = "P1"
    # a rectangle's sliver terms nearly cancel; a triangle's diagonal edges do not
    assert abs(vertices[rectangle] / straight[rectangle] - 1) < 1e-8
    assert 2e-6 < abs(vertices["P3"] / straight["P3"] - 1) < 5e-5
    # densifying the vertices converges to the straight-edge area
    dense = ellipsoidal_area_m2(gpd.GeoSeries(shapely.segmentize(s.values, 1.0), index=s.index, crs=s.crs), edges="vertices")
    np.testing.assert_allclose(dense.to_numpy(), straight.to_numpy(), rtol=2e-10)


def test_telescoped_integral_equals_the_printed_bracket():
    b1 = np.radians(np.array([18.0, 36.0, 36.8, 53.5]))
    b2 = b1 + np.radians(np.array([0.5, 1e-5, -0.01, 0.002]))
    for ell in (CGCS2000, XIAN80, BEIJING54):
        printed = 2 * ell.b**2 * _trapezoid_bracket(b1, b2, trapezoid_coefficients(ell.e2))
        telescoped = _meridian_integral(b2, ell) - _meridian_integral(b1, ell)
        np.testing.assert_allclose(telescoped, printed, rtol=1e-9)


def test_sheet_theoretical_area_matches_geodesic_sheet():
    """图幅理论面积 of a 1:10 000 sheet (3′45″ × 2′30″) against Geod on the sheet's outline (parallels densified)."""
    south, north = 36.0, 36.0 + 2.5 / 60
    lons = np.linspace(117.0, 117.0 + 3.75 / 60, 400)
    geod, _ = GEOD.polygon_area_perimeter(np.r_[lons, lons[::-1]], np.r_[np.full(400, south), np.full(400, north)])
    assert sheet_theoretical_area_m2(south, north, 3.75) == pytest.approx(abs(geod), rel=1e-10)


def test_derived_eccentricity_not_the_krasovsky_one():
    # a published CGCS2000 implementation carries Krasovsky's e²; derive it from a and f
    assert CGCS2000.e2 == pytest.approx(0.00669438002290, abs=1e-14)
    assert BEIJING54.e2 == pytest.approx(0.00669342162297, abs=1e-14)
    for epsg, ell in ((4548, CGCS2000), (2384, XIAN80), (2436, BEIJING54)):
        assert ellipsoid_of(pyproj.CRS.from_epsg(epsg))[1:] == (ell.a, ell.rf)


@pytest.mark.parametrize("epsg,ellipsoid", [(2384, XIAN80), (2436, BEIJING54), (4527, CGCS2000)])
def test_other_datums_and_zone_numbered_eastings_use_their_own_ellipsoid(epsg, ellipsoid):
    """Xian-80 and Beijing-54 GK (CM 117°E) and CGCS2000 zone 39 with the zone number in the easting."""
    s = _parcels(0.7, crs=epsg)
    if epsg == 4527:
        assert s.total_bounds[0] > 39_000_000
    ell = ellipsoidal_area_m2(s)
    geod = pyproj.Geod(a=ellipsoid.a, rf=ellipsoid.rf)
    lonlat = s.to_crs(s.crs.geodetic_crs)
    expected = [abs(geod.geometry_area_perimeter(g)[0]) for g in lonlat]
    np.testing.assert_allclose(ell.to_numpy(), expected, rtol=5e-9)  # the wrong ellipsoid would be off by ~3e-5
    assert (ell <= area_m2(s)).all()


def test_zone_numbered_and_plain_gk_give_the_same_area():
    plain = _parcels(1.4)
    numbered = plain.to_crs(4527)
    np.testing.assert_allclose(ellipsoidal_area_m2(numbered).to_numpy(), ellipsoidal_area_m2(plain).to_numpy(), rtol=1e-9)


def test_lonlat_input_and_non_areal_geometries():
    s = _parcels(0.7)
    lonlat = gpd.GeoSeries(shapely.segmentize(s.values, 2.0), index=s.index, crs=4548).to_crs(4490)
    np.testing.assert_allclose(ellipsoidal_area_m2(lonlat).to_numpy(), ellipsoidal_area_m2(s).to_numpy(), rtol=1e-7)
    x, y = _origin(0.0)
    mixed = gpd.GeoSeries(
        [shapely.Point(x, y), shapely.LineString([(x, y), (x + 10, y)]), None, shapely.Polygon(), shapely.box(x, y, x + 10, y + 10)],
        index=[5, 3, 9, 1, 7],
        crs=4548,
    )
    out = ellipsoidal_area_m2(mixed)
    assert list(out.index) == [5, 3, 9, 1, 7]
    assert out.iloc[:2].tolist() == [0.0, 0.0] and np.isnan(out.iloc[2]) and out.iloc[3] == 0.0
    assert out.iloc[4] == pytest.approx(100.0, rel=1e-9)


def test_basis_area_picks_the_basis_and_refuses_degrees():
    s = _parcels(1.4)
    pd.testing.assert_series_equal(basis_area_m2(s, "planar"), area_m2(s))
    pd.testing.assert_series_equal(basis_area_m2(s, "ellipsoidal"), ellipsoidal_area_m2(s))
    with pytest.raises(ValueError, match="area basis"):
        basis_area_m2(s, "geodesic")
    from zoneplan.errors import CRSError

    with pytest.raises(CRSError, match="geographic"):
        basis_area_m2(s.to_crs(4490), "ellipsoidal")


def test_info_json_gives_both_areas_per_layer_and_the_basis(capsys):
    """Linqing's parcels: QGIS's ellipsoidal area is 64,802.70 mu against 64,824.45 mu planar (issue 12)."""
    from zoneplan import datasets
    from zoneplan.cli import main
    from zoneplan.units import M2_PER_MU

    with pytest.raises(SystemExit) as exit_:
        main(["info", str(datasets.get_path("linqing")), "--json"])
    assert exit_.value.code == 0
    import json

    out = json.loads(capsys.readouterr().out)
    assert out["area_basis"] == "planar"
    parcels = out["layers"]["parcels"]
    assert parcels["area_mu"] == pytest.approx(64_824.45, abs=0.01)
    assert parcels["ellipsoidal_area_mu"] == pytest.approx(64_802.70, abs=0.05)
    assert parcels["ellipsoidal_area_m2"] / M2_PER_MU == pytest.approx(parcels["ellipsoidal_area_mu"])
    for layer in out["layers"].values():
        assert {"area_m2", "area_mu", "ellipsoidal_area_m2", "ellipsoidal_area_mu"} <= set(layer)
        assert layer["ellipsoidal_area_m2"] <= layer["area_m2"]


def test_plan_meta_area_basis_feeds_the_parcel_table_and_info(tmp_path, capsys):
    import json

    from zoneplan import datasets
    from zoneplan.cli import main
    from zoneplan.errors import PlanError
    from zoneplan.measure import plan_area_basis
    from zoneplan.settings import settings
    from zoneplan.state import plan_state

    plan = datasets.load("zhangdian")
    assert plan_area_basis(plan) == "planar" == plan_state(plan).area_basis  # the published figures' basis
    official = plan.with_meta(area_basis="ellipsoidal")
    table = plan_state(official, 2024).table
    assert plan_state(official, 2024).area_basis == "ellipsoidal"
    np.testing.assert_allclose(table["area_m2"].to_numpy(), ellipsoidal_area_m2(plan.parcels).to_numpy())
    assert (table["area_m2"] < plan_state(plan, 2024).table["area_m2"]).all()
    with settings.override(area_basis="ellipsoidal"):  # the setting is the default of plans that say nothing
        assert plan_area_basis(plan.with_meta(area_basis=None)) == "ellipsoidal"
        assert plan_area_basis(official.with_meta(area_basis="planar")) == "planar"
    with pytest.raises(PlanError, match="area_basis"):
        plan_area_basis(plan.with_meta(area_basis="geodesic"))
    path = tmp_path / "official.gpkg"
    official.write(path)
    with pytest.raises(SystemExit) as exit_:
        main(["info", str(path), "--json"])
    assert exit_.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["area_basis"] == "ellipsoidal"
