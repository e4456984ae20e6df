"""Coordinates never land in the wrong place: every CRS case of issue 12, on files shaped like the bureau's.

Each case is either converted into the CGCS2000 3° Gauss–Krüger zone covering the data, within
1 m of an independent pyproj transform, or refused by ``zoneplan import`` with exit 2 and one
line naming the file, the feature and the rule.
"""

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import pytest
import shapely

from zoneplan.cli import main
from zoneplan.io.vector import read_vector
from zoneplan.units import M2_PER_MU

# The tests write files without a CRS on purpose (what a bureau sends without its .prj); pyogrio says so.
pytestmark = pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")

#: A district near Linqing: lon 115.70°E, lat 36.84°N; CGCS2000 3° GK CM 117°E (EPSG:4548) covers it.
LON, LAT = 115.70, 36.84
ESRI_ZONE_39 = (
    'PROJCS["CGCS2000_3_Degree_GK_Zone_39",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",'
    'DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",39500000.0],'
    'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],'
    'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)


def _parcels_in(crs, *, lon: float = LON, lat: float = LAT, n: int = 3) -> gpd.GeoDataFrame:
    """Three 120 m × 80 m parcels (in ``crs``'s own units) with bureau field names, at (lon, lat)."""
    x, y = pyproj.Transformer.from_crs(4490, crs, always_xy=True).transform(lon, lat)
    step = 150.0 if pyproj.CRS.from_user_input(crs).is_projected else 0.0015
    w, h = (120.0, 80.0) if step > 1 else (0.0012, 0.0008)
    geoms = [shapely.box(x + i * step, y, x + i * step + w, y + h) for i in range(n)]
    return gpd.GeoDataFrame({"地块编号": [f"DK-{i + 1:03d}" for i in range(n)], "用地代码": ["100101"] * n}, geometry=geoms, crs=crs)


def _offset_m(got: gpd.GeoDataFrame, src: gpd.GeoDataFrame, source_crs, target: int = 4548) -> float:
    """Largest distance between the imported features and an independent pyproj transform of the source."""
    to = pyproj.Transformer.from_crs(source_crs, target, always_xy=True)
    expected = shapely.transform(src.geometry.values, lambda xy: np.column_stack(to.transform(xy[:, 0], xy[:, 1])))
    return float(shapely.hausdorff_distance(got.geometry.values, expected).max())


def _run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


def _import(capsys, tmp_path, src, *extra):
    return _run(capsys, "import", src, "--into", tmp_path / "plan.gpkg", "--layer", "parcels", *extra)


@pytest.mark.parametrize(
    "crs",
    [
        pytest.param(4527, id="CGCS2000 3° zone 39 with zone number"),
        pytest.param(4498, id="CGCS2000 6° zone 20 with zone number"),
        pytest.param(4502 + 7, id="CGCS2000 6° CM 117E"),
        pytest.param(32650, id="UTM 50N"),
        pytest.param(4547, id="neighbouring 3° zone CM 114E"),
        pytest.param(2384, id="Xian-80 GK CM 117E"),
        pytest.param(2436, id="Beijing-54 GK CM 117E"),
        pytest.param(4490, id="CGCS2000 lon-lat"),
        pytest.param(4326, id="WGS84 lon-lat"),
    ],
)
def test_projected_and_lonlat_input_lands_in_the_covering_cgcs2000_gk_zone(tmp_path, crs):
    src = _parcels_in(crs)
    path = tmp_path / "in.gpkg"
    pyogrio.write_dataframe(src, path)
    r = read_vector(path)
    assert r.data.crs.to_epsg() == 4548
    assert _offset_m(r.data, src, crs) < 1.0
    assert list(r.data["parcel_id"]) == ["DK-001", "DK-002", "DK-003"]
    ballpark = [n for n in r.notes if "no datum-shift parameters" in n]
    assert len(ballpark) == (1 if crs in (2384, 2436) else 0), r.notes


def test_esri_prj_named_cgcs2000_3_degree_gk_zone_39_is_recognised(tmp_path):
    src = _parcels_in(4527)
    path = tmp_path / "dltb.shp"
    pyogrio.write_dataframe(src, path, encoding="GBK")
    path.with_suffix(".prj").write_text(ESRI_ZONE_39)
    r = read_vector(path)
    assert "39" in r.source_crs or "4527" in r.source_crs
    assert r.data.crs.to_epsg() == 4548
    assert _offset_m(r.data, src, 4527) < 1.0
    assert src.total_bounds[0] > 39_000_000


def test_web_mercator_square_gets_its_true_area(tmp_path):
    """A 100 × 100 Web Mercator square at 36.8°N is about 80 m on the ground: 9.6 mu, not 15."""
    x, y = pyproj.Transformer.from_crs(4326, 3857, always_xy=True).transform(LON, 36.8)
    src = gpd.GeoDataFrame({"BSM": ["1"]}, geometry=[shapely.segmentize(shapely.box(x, y, x + 100, y + 100), 5)], crs=3857)
    path = tmp_path / "webmap.geojson"
    src.to_file(path)
    r = read_vector(path)
    assert r.data.crs.to_epsg() == 4548
    assert _offset_m(r.data, src, 3857) < 1.0
    geodesic_m2, _ = pyproj.Geod(ellps="GRS80").geometry_area_perimeter(src.to_crs(4490).geometry.iloc[0])
    assert r.data.geometry.area.iloc[0] / M2_PER_MU == pytest.approx(abs(geodesic_m2) / M2_PER_MU, rel=5e-4)  # GK scale 1.3° off CM
    assert 9.5 < r.data.geometry.area.iloc[0] / M2_PER_MU < 9.7


def test_plan_spanning_two_zones_says_which_it_uses(tmp_path, capsys):
    # 115.3–115.9°E straddles 115.5°E, the edge between CM 114°E and CM 117°E
    src = _parcels_in(4490, lon=115.3, n=2)
    far = _parcels_in(4490, lon=115.9, n=1).assign(地块编号=["DK-900"])
    both = gpd.GeoDataFrame(pd_concat([src, far]), crs=4490)
    path = tmp_path / "two_zones.geojson"
    both.to_file(path)
    code, out, err = _import(capsys, tmp_path, path)
    assert code == 0, err
    assert "spans the 3° Gauss–Krüger zones CM 114°E–117°E" in out and "EPSG:4548" in out


def pd_concat(frames):
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


def _no_prj(tmp_path, gdf: gpd.GeoDataFrame, name: str = "noprj.shp"):
    path = tmp_path / name
    pyogrio.write_dataframe(gdf, path, encoding="GBK")  # bureau shapefiles: GBK
    path.with_suffix(".prj").unlink(missing_ok=True)  # as delivered: .shp, .shx, .dbf and no .prj
    assert pyogrio.read_info(path)["crs"] is None
    return path


def _one_line_naming(err: str, *words: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.mark.parametrize(
    "crs,hint",
    [
        (4527, "zone 39 with the zone number in the easting (EPSG:4527)"),
        (4498, "6° Gauss–Krüger zone 20 with the zone number in the easting (EPSG:4498)"),
        (4490, "lon-lat degrees (CGCS2000: EPSG:4490)"),
        (4548, "a Gauss–Krüger zone without zone number: give the central meridian"),
    ],
)
def test_file_without_crs_is_refused_naming_the_likely_crs(tmp_path, capsys, crs, hint):
    path = _no_prj(tmp_path, _parcels_in(crs).set_crs(None, allow_override=True))
    code, _, err = _import(capsys, tmp_path, path)
    assert code == 2
    _one_line_naming(err, str(path), "rule crs-missing", hint)
    assert not (tmp_path / "plan.gpkg").exists()


def test_crs_option_declares_a_missing_crs(tmp_path, capsys):
    src = _parcels_in(4527)
    path = _no_prj(tmp_path, src.set_crs(None, allow_override=True))
    code, _out, err = _import(capsys, tmp_path, path, "--crs", "EPSG:4527")
    assert code == 0, err
    plan = gpd.read_file(tmp_path / "plan.gpkg", layer="parcels")
    assert _offset_m(plan, src, 4527) < 1.0


def test_crs_option_contradicting_the_files_own_is_refused_unless_overridden(tmp_path, capsys):
    src = _parcels_in(32650)
    path = tmp_path / "utm.gpkg"
    pyogrio.write_dataframe(src, path)
    code, _, err = _import(capsys, tmp_path, path, "--crs", "EPSG:4549")
    assert code == 2
    _one_line_naming(err, str(path), "EPSG:32650", "EPSG:4549", "--crs-override", "rule crs-conflict")
    # the same CRS spelled as the file spells it is no conflict
    code, _, err = _import(capsys, tmp_path, path, "--crs", "EPSG:32650")
    assert code == 0, err
    # the rare file whose .prj lies: the user's CRS wins when said explicitly
    lying = tmp_path / "lying.gpkg"
    pyogrio.write_dataframe(_parcels_in(4549, lon=120.4).set_crs(32650, allow_override=True), lying)
    code, _, err = _run(capsys, "import", lying, "--into", tmp_path / "p2.gpkg", "--layer", "parcels", "--crs", "EPSG:4549", "--crs-override")
    assert code == 0, err
    got = gpd.read_file(tmp_path / "p2.gpkg", layer="parcels")
    assert got.crs.to_epsg() == 4549
    assert _offset_m(got, _parcels_in(4549, lon=120.4), 4549, 4549) < 1.0


def test_zone_number_eastings_under_a_crs_without_zone_number_are_refused(tmp_path, capsys):
    path = _no_prj(tmp_path, _parcels_in(4527).set_crs(None, allow_override=True))
    code, _, err = _import(capsys, tmp_path, path, "--crs", "EPSG:4548")
    assert code == 2
    _one_line_naming(err, str(path), "feature DK-001 (row 1)", "rule outside-zone", "EPSG:4527")


def test_easting_outside_the_zone_is_refused(tmp_path, capsys):
    # a parcel 4° west of CM 117°E declared in EPSG:4548: GK there is no longer the zone's
    src = _parcels_in(4548)
    far = _parcels_in(4490, lon=112.9, n=1).to_crs(4548).assign(地块编号=["DK-777"])
    path = tmp_path / "far.gpkg"
    pyogrio.write_dataframe(pd_concat([src, far]).set_crs(4548, allow_override=True), path)
    code, _, err = _import(capsys, tmp_path, path)
    assert code == 2
    _one_line_naming(err, str(path), "feature DK-777 (row 4)", "rule outside-zone")


def test_degrees_declared_as_metres_are_refused(tmp_path, capsys):
    path = _no_prj(tmp_path, _parcels_in(4490).set_crs(None, allow_override=True))
    code, _, err = _import(capsys, tmp_path, path, "--crs", "EPSG:4548")
    assert code == 2
    _one_line_naming(err, str(path), "feature DK-001 (row 1)", "rule degrees-as-metres", "EPSG:4490")


@pytest.mark.parametrize("bad", [1e300, np.inf, np.nan])
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # shapely, building the NaN polygon
def test_impossible_coordinate_values_are_refused_naming_the_feature(tmp_path, capsys, bad):
    src = _parcels_in(4548)
    x, y = shapely.get_coordinates(src.geometry.iloc[1])[0]
    src.loc[1, "geometry"] = shapely.Polygon([(x, y), (bad, y), (x + 50, y + 50)])
    path = tmp_path / "broken.gpkg"
    pyogrio.write_dataframe(src, path)
    code, _, err = _import(capsys, tmp_path, path)
    assert code == 2
    _one_line_naming(err, str(path), "feature DK-002 (row 2)", "rule coordinates")


@pytest.mark.parametrize("crs,lon,lat", [(2154, 2.35, 48.85), (32631, 2.35, 48.85), (3857, -74.0, 40.7), (4326, 13.4, 52.5)])
def test_data_outside_china_is_refused_whatever_its_crs(tmp_path, capsys, crs, lon, lat):
    path = tmp_path / "abroad.gpkg"
    pyogrio.write_dataframe(_parcels_in(crs, lon=lon, lat=lat), path)
    code, _, err = _import(capsys, tmp_path, path)
    assert code == 2
    _one_line_naming(err, str(path), "feature DK-001 (row 1)", "rule outside-china")
