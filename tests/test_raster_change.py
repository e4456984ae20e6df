"""Built-up change between two rasters, set against the plan's records: planted mismatches."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin

from tests.conftest import X0, Y0, box
from zoneplan.errors import InputError
from zoneplan.plan import Plan
from zoneplan.raster.change import built_change, compare, parcel_change, recorded_built

MU = 10000 / 15
RES = 10.0


def paint(arr: np.ndarray, x: float, y: float, w: float, h: float, value: int) -> None:
    """Set the cells of the w × h m rectangle at (x, y) (metres from the raster's SW corner)."""
    rows = arr.shape[0]
    arr[rows - int((y + h) / RES) : rows - int(y / RES), int(x / RES) : int((x + w) / RES)] = value


def write(path: Path, arr: np.ndarray, *, year: int | None, crs: str = "EPSG:4548") -> Path:
    with rasterio.open(path, "w", driver="GTiff", width=arr.shape[1], height=arr.shape[0], count=1, dtype="uint8", crs=crs, transform=from_origin(X0, Y0 + 1000, RES, RES), nodata=0) as ds:
        ds.write(arr, 1)
        if year is not None:
            ds.update_tags(year=str(year))
    return path


@pytest.fixture
def change_case(tmp_path: Path) -> tuple[Plan, Path, Path]:
    """One 1000 m zone with six 100 m × 100 m parcels (15 mu each) and two WorldCover rasters,
    2020 and 2023. Planted: P2 (recorded built, bare in 2023) and P3 (recorded supplied, built
    since 2020)."""
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ["P1", "P2", "P3", "P4", "P5", "P6"],
            "landuse_code": ["100101"] * 6,
            "status": ["built", "built", "supplied", "ready", "built", "unready"],
            "built_year": [2018, 2021, pd.NA, pd.NA, 2022, pd.NA],
            "planned_year": [pd.NA, pd.NA, 2025, 2021, pd.NA, pd.NA],
        },
        geometry=[box(0, 0, 100, 100), box(200, 0, 100, 100), box(400, 0, 100, 100), box(600, 0, 100, 100), box(0, 200, 100, 100), box(200, 200, 100, 100)],
        crs=4548,
    )
    zones = gpd.GeoDataFrame({"zone_id": ["Z1"]}, geometry=[box(0, 0, 1000, 1000)], crs=4548)
    plan = Plan({"zones": zones, "parcels": parcels})
    old = np.full((100, 100), 40, dtype="uint8")  # cropland everywhere
    paint(old, 0, 0, 100, 100, 50)  # P1 built before 2020
    paint(old, 600, 0, 100, 100, 50)  # P4: old village, built in both years
    paint(old, 800, 800, 100, 100, 50)  # outside parcels: built 2020, gone by 2023
    new = old.copy()
    paint(new, 800, 800, 100, 100, 60)
    paint(new, 200, 0, 100, 100, 60)  # P2 recorded built 2021 but bare
    paint(new, 400, 0, 100, 60, 50)  # P3: 60 % newly built-up, recorded only supplied
    paint(new, 0, 200, 100, 100, 50)  # P5 built 2022 as recorded
    paint(new, 200, 200, 100, 20, 50)  # P6: 20 % newly built-up — below the threshold
    paint(new, 500, 500, 50, 100, 50)  # outside parcels: 5000 m² new built-up
    return plan, write(tmp_path / "lc_2020.tif", old, year=None), write(tmp_path / "lc.tif", new, year=2023)


def test_recorded_built_uses_history_not_plan(change_case: tuple[Plan, Path, Path]) -> None:
    plan, _, _ = change_case
    assert recorded_built(plan, 2023).tolist() == [True, True, False, False, True, False]
    # in 2021, P5 (built 2022) is not yet built; P4's planned_year 2021 is no record
    assert recorded_built(plan, 2021).tolist() == [True, True, False, False, False, False]


def test_change_finds_exactly_the_planted_parcels(change_case: tuple[Plan, Path, Path]) -> None:
    plan, old, new = change_case
    table = parcel_change(plan, old, new)
    found = table.loc[table["mismatch"].notna(), ["parcel_id", "mismatch"]]
    assert found.values.tolist() == [["P2", "recorded_built_looks_bare"], ["P3", "unauthorised_construction"]]
    p = table.set_index("parcel_id")
    assert p.loc["P3", "new_built_mu"] == pytest.approx(6000 / MU)
    assert p.loc["P3", "new_built_share"] == pytest.approx(0.6)
    assert p.loc["P4", "built_old_share"] == 1.0 and p.loc["P4", "new_built_mu"] == 0.0
    assert p.loc["P6", "new_built_share"] == pytest.approx(0.2)
    assert p.loc["P2", "built_new_share"] == 0.0 and p.loc["P2", "built_old_share"] == 0.0


def test_group_change_and_evidence(change_case: tuple[Plan, Path, Path]) -> None:
    plan, old, new = change_case
    result = compare(plan, old, new, by="zone")
    assert (result.old_year, result.new_year) == (2020, 2023)
    z = result.groups.iloc[0]
    assert z["group_id"] == "Z1"
    # 2020: P1 + P4 + corner = 30000 m²; 2023: P1 + P4 + P3(6000) + P5 + P6(2000) + 5000
    assert z["built_old_mu"] == pytest.approx(30000 / MU)
    assert z["built_new_mu"] == pytest.approx((10000 + 10000 + 6000 + 10000 + 2000 + 5000) / MU)
    assert z["new_built_mu"] == pytest.approx((6000 + 10000 + 2000 + 5000) / MU)
    assert z["lost_built_mu"] == pytest.approx(10000 / MU)
    # recorded new construction 2021–2023: P2 (built 2021) and P5 (built 2022)
    assert z["recorded_new_built_mu"] == pytest.approx(20000 / MU)
    assert z["unrecorded_new_built_mu"] == pytest.approx(3000 / MU)
    assert (z["unauthorised_count"], z["looks_bare_count"]) == (1, 1)
    assert z["unauthorised_mu"] == pytest.approx(15.0) and z["looks_bare_mu"] == pytest.approx(15.0)
    ev = result.evidence.set_index("parcel_id")
    assert list(ev.index) == ["P2", "P3"]
    assert ev.loc["P3", "geometry"].symmetric_difference(box(400, 0, 100, 60)).area < 1e-6
    assert ev.loc["P3", "evidence_mu"] == pytest.approx(6000 / MU)
    assert ev.loc["P2", "evidence_mu"] == pytest.approx(15.0)
    assert "P3" in ev.loc["P3", "message"] and ev.crs == plan.crs
    assert result.to_json()["mismatches"][1]["parcel_id"] == "P3"


def test_new_raster_on_another_grid_and_crs(change_case: tuple[Plan, Path, Path], tmp_path: Path) -> None:
    """The newer raster in UTM 50N: it is read on the older grid, and the planted parcels are still found."""
    plan, old, new = change_case
    with rasterio.open(new) as src:
        from rasterio.warp import Resampling, calculate_default_transform, reproject

        transform, w, h = calculate_default_transform(src.crs, "EPSG:32650", src.width, src.height, *src.bounds, resolution=5.0)
        utm = tmp_path / "lc_utm_2023.tif"
        with rasterio.open(utm, "w", driver="GTiff", width=w, height=h, count=1, dtype="uint8", crs="EPSG:32650", transform=transform, nodata=0) as dst:
            reproject(rasterio.band(src, 1), rasterio.band(dst, 1), resampling=Resampling.nearest)
    table = parcel_change(plan, old, utm)
    assert table.loc[table["mismatch"].notna(), "parcel_id"].tolist() == ["P2", "P3"]
    assert table.set_index("parcel_id").loc["P3", "new_built_share"] == pytest.approx(0.6, abs=0.03)


def test_years_must_be_known_and_ordered(change_case: tuple[Plan, Path, Path], tmp_path: Path) -> None:
    plan, old, new = change_case
    with pytest.raises(InputError, match="earlier year"):
        built_change(plan, new, old)
    with pytest.raises(InputError, match="which year"):
        built_change(plan, old.rename(tmp_path / "untagged.tif"), new)
    assert built_change(plan, tmp_path / "untagged.tif", new, old_year=2019)["old_year"].tolist() == [2019]
