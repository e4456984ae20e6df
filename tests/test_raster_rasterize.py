"""Plan layers burnt into coloured GeoTIFF / COG rasters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio

from tests.conftest import X0, Y0
from zoneplan.errors import InputError
from zoneplan.plan import Plan
from zoneplan.raster import get_scheme, zonal_stats
from zoneplan.raster.rasterize import export_raster


def test_landuse_cog_with_colours_and_legend(tiny_plan: Plan, tmp_path: Path) -> None:
    out = export_raster(tiny_plan, tmp_path / "lu.tif", resolution=10.0, block_rows=7)
    # parcels span x 0..500, y 0..500 → 50 × 50 cells of 10 m
    assert (out.width, out.height, out.unmapped) == (50, 50, 0)
    lu = get_scheme("landuse").table
    value_of = {code: int(v) for v, code in lu["code"].items()}
    with rasterio.open(out.path) as ds:
        assert ds.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert ds.crs.to_epsg() == 4548 and ds.transform.c == X0 and ds.transform.f == Y0 + 500
        arr = ds.read(1)
        assert ds.colormap(1)[value_of["100101"]][:3] == (187, 150, 116)
        assert ds.tags()[f"class_{value_of['1101']}"] == "1101 物流仓储用地"
    values, counts = np.unique(arr, return_counts=True)
    # four 200 m parcels = 400 cells each; the rest (2500 − 1600) is no data
    assert dict(zip(values.tolist(), counts.tolist())) == {
        0: 900,
        value_of["100101"]: 400,
        value_of["100102"]: 400,
        value_of["0701"]: 400,
        value_of["1101"]: 400,
    }
    # P1 occupies the south-west corner: bottom-left 20 × 20 cells
    assert (arr[30:, :20] == value_of["100101"]).all()


def test_plan_raster_reads_back_as_planned_construction_land(tiny_plan: Plan, tmp_path: Path) -> None:
    path = export_raster(tiny_plan, tmp_path / "lu.tif", resolution=10.0).path
    stats = zonal_stats(tiny_plan, path, by="parcel", scheme="landuse")
    assert stats["area_mu"].round(9).tolist() == [60.0] * 4
    assert stats["built"].all()  # all four classes are construction land


def test_status_and_phase_rasters(tiny_plan: Plan, tmp_path: Path) -> None:
    status = export_raster(tiny_plan, tmp_path / "st.tif", by="status", resolution=20.0, cog=False)
    with rasterio.open(status.path) as ds:
        arr = ds.read(1)
        assert ds.tags()["class_1"] == "built 已建成"
    assert (arr == 1).sum() == 2 * 100 and (arr == 2).sum() == 100 and (arr == 3).sum() == 100
    phase = export_raster(tiny_plan, tmp_path / "ph.tif", layer="parcels", by="phase", resolution=20.0)
    with rasterio.open(phase.path) as ds:
        arr = ds.read(1)
    # P1, P2 lie in phase PH1 (y 0..400); P3, P4 straddle its edge with representative points above it
    assert (arr == 1).sum() == 2 * 100
    assert phase.unmapped == 2


def test_bad_export_inputs(tiny_plan: Plan, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="resolution must be positive"):
        export_raster(tiny_plan, tmp_path / "x.tif", resolution=0)
    with pytest.raises(InputError, match="empty"):
        export_raster(tiny_plan, tmp_path / "x.tif", layer="parks")
    with pytest.raises(InputError, match="cannot rasterise by"):
        export_raster(tiny_plan, tmp_path / "x.tif", by="height")  # type: ignore[arg-type]
    assert not list(tmp_path.glob("*.tif"))


def test_class_names_and_attribute_table_beside_the_raster(tiny_plan: Plan, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    out = export_raster(tiny_plan, tmp_path / "status.tif", by="status", resolution=20.0)
    aux = ET.parse(tmp_path / "status.tif.aux.xml").getroot()
    band = aux.find("PAMRasterBand")
    assert band.get("band") == "1"
    names = [c.text or "" for c in band.find("CategoryNames")]
    assert names == ["", "built 已建成", "supplied 已供应未建成", "ready 已达到供地条件", "unready 未达到供地条件", "unbuildable 不可建设"]
    rat = band.find("GDALRasterAttributeTable")
    assert [f.findtext("Name") for f in rat.findall("FieldDefn")] == ["Value", "Class", "Red", "Green", "Blue", "Alpha"]
    rows = [[f.text for f in row.findall("F")] for row in rat.findall("Row")]
    assert rows[0] == ["1", "built 已建成", "178", "24", "43", "255"]
    assert len(rows) == len(out.classes) == 5
    with rasterio.open(out.path) as ds:  # GDAL reads the file with its auxiliary file and keeps the colours
        assert ds.colormap(1)[1][:3] == (178, 24, 43)
