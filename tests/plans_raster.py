"""A hand-built change case for the raster tests: a plan and two land-cover rasters with
planted mismatches whose answers are known exactly."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from rasterio.transform import from_origin

from tests.conftest import X0, Y0, box
from zoneplan.plan import Plan

MU = 10000 / 15
RES = 10.0


def paint(arr: np.ndarray, x: float, y: float, w: float, h: float, value: int) -> None:
    """Set the cells of the w × h m rectangle at (x, y) (metres from the raster's SW corner)."""
    rows = arr.shape[0]
    arr[rows - int((y + h) / RES) : rows - int(y / RES), int(x / RES) : int((x + w) / RES)] = value


def write(path: Path, arr: np.ndarray, *, year: int | None, crs: str = "EPSG:4548") -> Path:
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=arr.shape[1],
        height=arr.shape[0],
        count=1,
        dtype="uint8",
        crs=crs,
        transform=from_origin(X0, Y0 + 1000, RES, RES),
        nodata=0,
    ) as ds:
        ds.write(arr, 1)
        if year is not None:
            ds.update_tags(year=str(year))
    return path


def make_change_case(tmp_path: Path) -> tuple[Plan, Path, Path]:
    """One 1000 m zone with seven 100 m × 100 m parcels (15 mu each), a 20 m one, and two
    WorldCover rasters, 2020 and 2023. Planted: P2 (recorded built, bare in 2023) and P3 (recorded
    supplied, built since 2020). Not mismatches: P7, a built park that looks green, and P8, a
    parcel of 4 cells (too small to judge) fully built-up since 2020."""
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"],
            "landuse_code": ["100101"] * 6 + ["1401", "100101"],
            "status": ["built", "built", "supplied", "ready", "built", "unready", "built", "ready"],
            "built_year": [2018, 2021, pd.NA, pd.NA, 2022, pd.NA, 2019, pd.NA],
            "planned_year": [pd.NA, pd.NA, 2025, 2021, pd.NA, pd.NA, pd.NA, pd.NA],
        },
        geometry=[
            box(0, 0, 100, 100),
            box(200, 0, 100, 100),
            box(400, 0, 100, 100),
            box(600, 0, 100, 100),
            box(0, 200, 100, 100),
            box(200, 200, 100, 100),
            box(400, 200, 100, 100),
            box(800, 200, 20, 20),
        ],
        crs=4548,
    )
    zones = gpd.GeoDataFrame({"zone_id": ["Z1"]}, geometry=[box(0, 0, 1000, 1000)], crs=4548)
    plan = Plan({"zones": zones, "parcels": parcels})
    old = np.full((100, 100), 40, dtype="uint8")  # cropland everywhere
    paint(old, 0, 0, 100, 100, 50)  # P1 built before 2020
    paint(old, 600, 0, 100, 100, 50)  # P4: old village, built in both years
    paint(old, 800, 800, 100, 100, 50)  # outside parcels: built 2020, gone by 2023
    paint(old, 400, 200, 100, 100, 30)  # P7 park: grass in both years
    new = old.copy()
    paint(new, 800, 800, 100, 100, 60)
    paint(new, 200, 0, 100, 100, 60)  # P2 recorded built 2021 but bare
    paint(new, 400, 0, 100, 60, 50)  # P3: 60 % newly built-up, recorded only supplied
    paint(new, 0, 200, 100, 100, 50)  # P5 built 2022 as recorded
    paint(new, 200, 200, 100, 20, 50)  # P6: 20 % newly built-up — below the threshold
    paint(new, 500, 500, 50, 100, 50)  # outside parcels: 5000 m² new built-up
    paint(new, 800, 200, 20, 20, 50)  # P8: 400 m² newly built-up
    return plan, write(tmp_path / "lc_2020.tif", old, year=None), write(tmp_path / "lc.tif", new, year=2023)
