import json

import ezdxf
import geopandas as gpd
import pyogrio
import pytest
import shapely

from tests.conftest import X0, Y0, box
from zoneplan.crs import geometry_to_gcj02
from zoneplan.errors import CRSError, InputError
from zoneplan.io.vector import detect_dbf_encoding, read_vector


def _bureau_parcels() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "地块编号": ["DK-001", "DK-002", "DK-003"],
            "用地代码": ["M2", "M1", "R2"],  # one classification per column (GB 50137-2011)
            "企业名称": ["临清轴承有限公司", "烟店机械厂", "华美小区"],
            "容积率": [1.2, 2.0, 2.5],
        },
        geometry=[box(0, 0, 200, 100), box(300, 0, 100, 100), box(0, 200, 100, 100)],
        crs=4548,
    )


def _write_shp(tmp_path, encoding: str, keep_cpg: bool, *, pinyin_fields: bool = False):
    path = tmp_path / f"parcels_{encoding}.shp"
    data = _bureau_parcels()
    if pinyin_fields:  # UTF-8 Chinese field names do not fit dBASE's 10 bytes: bureaus use pinyin codes
        data = data.rename(columns={"地块编号": "DKBH", "用地代码": "YDDM", "企业名称": "QYMC", "容积率": "RJL"})
    pyogrio.write_dataframe(data, path, encoding=encoding)
    cpg = path.with_suffix(".cpg")
    if not keep_cpg and cpg.exists():
        cpg.unlink()
    return path


def test_gbk_shapefile_without_cpg_is_detected_and_read_correctly(tmp_path):
    path = _write_shp(tmp_path, "GBK", keep_cpg=False)
    raw = path.with_suffix(".dbf").read_bytes()
    assert "临清".encode("gbk") in raw  # really GBK on disk
    assert detect_dbf_encoding(path.with_suffix(".dbf")) == "GB18030"
    r = read_vector(path)
    assert r.encoding == "GB18030" and r.encoding_detected
    assert any("GB18030" in n for n in r.notes)
    assert list(r.data["parcel_id"]) == ["DK-001", "DK-002", "DK-003"]
    assert r.data["enterprise"].iloc[0] == "临清轴承有限公司"
    assert r.renamed["地块编号"] == "parcel_id"


def test_utf8_shapefile_without_cpg_reads_as_utf8(tmp_path):
    r = read_vector(_write_shp(tmp_path, "UTF-8", keep_cpg=False, pinyin_fields=True))
    assert r.encoding == "UTF-8" and r.data["enterprise"].iloc[1] == "烟店机械厂"
    assert r.renamed == {"DKBH": "parcel_id", "YDDM": "landuse_code", "QYMC": "enterprise", "RJL": "far"}


def test_utf8_value_cut_mid_character_still_counts_as_utf8(tmp_path):
    path = tmp_path / "cut.shp"
    gdf = gpd.GeoDataFrame({"QYMC": ["临清轴承有限公司"]}, geometry=[box(0, 0, 10, 10)], crs=4548)
    pyogrio.write_dataframe(gdf, path, encoding="UTF-8", layer_options={"RESIZE": "NO"})
    path.with_suffix(".cpg").unlink()
    dbf = bytearray(path.with_suffix(".dbf").read_bytes())
    assert detect_dbf_encoding(path.with_suffix(".dbf")) == "UTF-8"
    # cut the value's last character in half, as a too-narrow field width does
    value = "临清轴承有限公司".encode()
    start = dbf.index(value)
    dbf[start + len(value) - 1] = 0x20
    path.with_suffix(".dbf").write_bytes(bytes(dbf))
    assert detect_dbf_encoding(path.with_suffix(".dbf")) == "UTF-8"


def test_encoding_override_wins(tmp_path):
    path = _write_shp(tmp_path, "GBK", keep_cpg=False)
    r = read_vector(path, encoding="GBK")
    assert r.encoding == "GBK" and not r.encoding_detected and r.data["enterprise"].iloc[2] == "华美小区"


def test_legacy_codes_are_normalised_and_far_gives_floor_area(tmp_path):
    r = read_vector(_write_shp(tmp_path, "GBK", keep_cpg=True))
    d = r.data
    assert list(d["landuse_code"]) == ["100102", "100101", "070102"]
    assert list(d["landuse_code_source"]) == ["M2", "M1", "R2"]
    assert r.landuse_scheme == "gb50137" and any("用地代码 read as GB 50137-2011" in n for n in r.notes)
    assert d["floor_area_m2"].tolist() == pytest.approx([1.2 * 20_000, 2.0 * 10_000, 2.5 * 10_000])


def test_column_map_overrides_and_unknown_source_column_is_an_error(tmp_path):
    path = _write_shp(tmp_path, "GBK", keep_cpg=True)
    r = read_vector(path, column_map={"企业名称": "owner"})
    assert "owner" in r.data.columns and "enterprise" not in r.data.columns
    with pytest.raises(InputError, match="does not have"):
        read_vector(path, column_map={"不存在": "parcel_id"})


def test_sandiao_scheme_reads_colliding_codes_as_sandiao(tmp_path):
    gdf = gpd.GeoDataFrame({"DLBM": ["0601", "1001", "0702"]}, geometry=[box(0, 0, 10, 10), box(20, 0, 10, 10), box(40, 0, 10, 10)], crs=4548)
    path = tmp_path / "sandiao.gpkg"
    gdf.to_file(path)
    assert list(read_vector(path, landuse_scheme="sandiao").data["landuse_code"]) == ["1001", "1201", "0703"]
    assert list(read_vector(path, landuse_scheme="2023").data["landuse_code"]) == ["0601", "1001", "0702"]
    # every value is a code of both schemes with different meanings: the 三调 field name DLBM decides, and says so
    auto = read_vector(path)
    assert list(auto.data["landuse_code"]) == ["1001", "1201", "0703"]
    assert auto.landuse_scheme == "sandiao" and "field DLBM is the 三调 field" in auto.landuse_reason


def _lonlat_geojson(tmp_path, *, gcj02: bool):
    sq = shapely.segmentize(box(0, 0, 1000, 1000), 10.0)
    ll = gpd.GeoDataFrame({"name": ["三期"]}, geometry=[sq], crs=4548).to_crs(4326)
    if gcj02:
        ll = ll.set_geometry(geometry_to_gcj02(ll.geometry.values))
    path = tmp_path / ("gcj.geojson" if gcj02 else "wgs.geojson")
    ll.to_file(path, driver="GeoJSON")
    return path


def test_geojson_lonlat_square_is_1500_mu(tmp_path):
    r = read_vector(_lonlat_geojson(tmp_path, gcj02=False))
    assert r.data.crs.to_epsg() == 4548
    assert r.data.area.iloc[0] / (10000 / 15) == pytest.approx(1500.0, rel=5e-4)


def test_gcj02_geojson_lands_on_true_ground_only_when_declared(tmp_path):
    path = _lonlat_geojson(tmp_path, gcj02=True)
    truth = box(0, 0, 1000, 1000)
    assert read_vector(path, gcj02=True).data.geometry.iloc[0].hausdorff_distance(truth) < 0.5
    assert read_vector(path).data.geometry.iloc[0].centroid.distance(truth.centroid) > 400


def test_flatgeobuf_keeps_row_order(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"parcel_id": [f"P{i}" for i in range(50)], "landuse_code": ["0701"] * 50},
        geometry=[box(((i * 7919) % 50) * 20.0, 0, 10, 10) for i in range(50)],
        crs=4548,
    )
    path = tmp_path / "p.fgb"
    pyogrio.write_dataframe(gdf, path, driver="FlatGeobuf", layer_options={"SPATIAL_INDEX": "NO"})
    assert list(read_vector(path).data["parcel_id"]) == list(gdf["parcel_id"])


def _dxf(tmp_path):
    doc = ezdxf.new()
    msp = doc.modelspace()
    doc.layers.add("地块")
    doc.layers.add("道路")
    msp.add_lwpolyline([(X0, Y0), (X0 + 200, Y0), (X0 + 200, Y0 + 100), (X0, Y0 + 100)], close=True, dxfattribs={"layer": "地块"})
    # a bow-tie drawn in CAD
    msp.add_lwpolyline([(X0 + 300, Y0), (X0 + 400, Y0 + 100), (X0 + 400, Y0), (X0 + 300, Y0 + 100)], close=True, dxfattribs={"layer": "地块"})
    msp.add_lwpolyline([(X0, Y0 + 150), (X0 + 400, Y0 + 150), (X0 + 400, Y0 + 170), (X0, Y0 + 170)], close=True, dxfattribs={"layer": "道路"})
    msp.add_lwpolyline([(X0, Y0 + 300), (X0 + 50, Y0 + 300)], dxfattribs={"layer": "地块"})  # open line: ignored
    msp.add_text("A-01", dxfattribs={"layer": "地块", "insert": (X0 + 100, Y0 + 50)})
    path = tmp_path / "总图.dxf"
    doc.saveas(path)
    path.with_suffix(".csv").write_text("label,用地代码,企业名称\nA-01,100101,甲公司\n", encoding="utf-8")
    return path


def test_dxf_polygons_by_cad_layer_with_labels_and_sidecar(tmp_path):
    path = _dxf(tmp_path)
    r = read_vector(path, crs="EPSG:4548", layer="地块")
    d = r.data
    assert len(d) == 2 and set(d["cad_layer"]) == {"地块"}
    first = d[d["label"] == "A-01"].iloc[0]
    assert first["landuse_code"] == "100101" and first["enterprise"] == "甲公司"
    assert first.geometry.area == pytest.approx(20_000.0)
    assert (~d.geometry.is_valid).sum() == 1  # the bow-tie is kept for validation to report
    everything = read_vector(path, crs="EPSG:4548").data
    assert sorted(everything["cad_layer"]) == ["地块", "地块", "道路"]


def test_dxf_without_crs_is_refused(tmp_path):
    with pytest.raises(CRSError, match="DXF files carry no CRS"):
        read_vector(_dxf(tmp_path))


def test_missing_file_and_unsupported_format(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_vector(tmp_path / "nope.shp")
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(InputError, match="unsupported format"):
        read_vector(tmp_path / "x.txt")


def test_geojson_without_geometry_is_refused(tmp_path):
    path = tmp_path / "nogeom.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"a": 1}, "geometry": None}]}))
    with pytest.raises(InputError, match="no geometry"):
        read_vector(path)
