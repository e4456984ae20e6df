"""Build the illustrative land-cover rasters of the Linqing sample plan.

Usage::

    python layers/build_rasters.py [--plan layers/linqing.gpkg] [--out layers/]

Writes ``linqing_landcover_2018.tif`` and ``linqing_landcover_2023.tif`` (with ``.aux.xml`` class names
for QGIS, :func:`zoneplan.raster.legend.write_legend`): ESA WorldCover classes
(10 tree cover, 30 grassland, 40 cropland, 50 built-up, 60 bare, 80 water) at 10 m in EPSG:4548
over the zone plus a 300 m margin, DEFLATE-compressed (well under 1 MB each). They are **not
imagery**: every cell is drawn from the plan's own records, so the rasters agree with the plan
everywhere except on the planted mismatches below.

What each parcel looks like in year *Y* (cell-centre rule, then a fixed speckle):
    - recorded built in *Y* (``built_year`` ≤ *Y*, or no ``built_year`` and status ``built``):
      built-up, with ~12 % grass speckle (yards, lawns); green space (14) grass with trees;
      water (17) water;
    - otherwise the land before development (``base_landuse_code``): villages (0703) and other
      construction land built-up, woodland (03) trees, water (17) water, everything else
      cropland; a parcel supplied by *Y* but not built is bare (cleared site);
    - outside the parcels: cropland with scattered tree patches.

Planted mismatches (chosen by a fixed seed among mid-sized parcels; listed in the rasters'
``planted_*`` tags and in ``layers/README.md``):
    - two industrial parcels recorded built before 2016 that are bare in both years
      (``recorded_built_looks_bare``);
    - three parcels recorded unbuilt (two ``ready``/``unready`` on cropland, one ``unbuildable``)
      that are cropland in 2018 and built-up in 2023 (``unauthorised_construction``).

The builder is deterministic (fixed seeds, fixed GDAL creation options).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import rasterio
import rasterio.features
from rasterio.transform import from_origin

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # `python layers/build_rasters.py` from a checkout
    sys.path.insert(0, str(HERE.parent))

from zoneplan.plan import Plan  # noqa: E402
from zoneplan.raster.change import recorded_built  # noqa: E402
from zoneplan.raster.classes import get_scheme  # noqa: E402
from zoneplan.raster.legend import write_legend  # noqa: E402
from zoneplan.raster.rasterize import class_raster_profile  # noqa: E402

__all__ = ["RES", "YEARS", "build", "landcover", "main", "planted"]

YEARS = (2018, 2023)
RES = 10.0
MARGIN = 300.0
SEED = 20231011
TREE, GRASS, CROP, BUILT, BARE, WATER = 10, 30, 40, 50, 60, 80


def planted(plan: Plan) -> dict[str, list[str]]:
    """The parcel ids planted as mismatches, by kind (deterministic for a given plan)."""
    rng = np.random.default_rng(SEED)
    p = plan.parcels
    mu = p.area / (10000 / 15)
    code = p["landuse_code"].astype("string")
    base = p["base_landuse_code"].astype("string") if "base_landuse_code" in p else pd.Series(pd.NA, index=p.index, dtype="string")
    status = p["status"].astype("string")
    built_year = pd.to_numeric(p["built_year"], errors="coerce")
    mid = (mu >= 20) & (mu <= 150)
    bare = p.loc[mid & (status == "built") & (built_year <= 2015) & code.str.startswith("1001"), "parcel_id"]
    unbuilt = p.loc[mid & status.isin(["ready", "unready"]) & base.str.startswith("01") & built_year.isna(), "parcel_id"]
    unbuildable = p.loc[mid & (status == "unbuildable") & base.str.startswith("01") & built_year.isna(), "parcel_id"]

    def pick(ids: pd.Series, n: int) -> list[str]:
        ids = sorted(ids.astype(str))
        return sorted(rng.choice(ids, size=min(n, len(ids)), replace=False).tolist()) if ids else []

    return {
        "recorded_built_looks_bare": pick(bare, 2),
        "unauthorised_construction": pick(unbuilt, 2) + pick(unbuildable, 1),
    }


def _grid(plan: Plan) -> tuple[rasterio.Affine, int, int]:
    minx, miny, maxx, maxy = plan.zones.total_bounds
    minx, miny = np.floor((minx - MARGIN) / RES) * RES, np.floor((miny - MARGIN) / RES) * RES
    maxx, maxy = np.ceil((maxx + MARGIN) / RES) * RES, np.ceil((maxy + MARGIN) / RES) * RES
    return from_origin(minx, maxy, RES, RES), round((maxx - minx) / RES), round((maxy - miny) / RES)


def _parcel_classes(plan: Plan, year: int, plant: dict[str, list[str]]) -> np.ndarray:
    p = plan.parcels
    code = p["landuse_code"].astype("string").fillna("")
    base = (p["base_landuse_code"].astype("string") if "base_landuse_code" in p else pd.Series("", index=p.index, dtype="string")).fillna("")
    supplied = pd.to_numeric(p.get("supplied_year"), errors="coerce") if "supplied_year" in p else pd.Series(np.nan, index=p.index)
    built = recorded_built(plan, year).to_numpy()
    before = np.select(
        [
            base.str.startswith("0703").to_numpy(),
            base.str[:2].isin(["07", "08", "09", "10", "11", "12", "13", "15", "16"]).to_numpy(),
            base.str.startswith("03").to_numpy(),
            base.str.startswith("17").to_numpy(),
        ],
        [BUILT, BUILT, TREE, WATER],
        CROP,
    )
    before = np.where((supplied <= year).fillna(False).to_numpy(dtype=bool), BARE, before)
    after = np.select([code.str.startswith("14").to_numpy(), code.str.startswith("17").to_numpy()], [GRASS, WATER], BUILT)
    cls = np.where(built, after, before)
    ids = p["parcel_id"].astype(str).to_numpy()
    cls[np.isin(ids, plant["recorded_built_looks_bare"])] = BARE
    unauth = np.isin(ids, plant["unauthorised_construction"])
    cls[unauth] = BUILT if year >= YEARS[1] else CROP
    return cls


def landcover(plan: Plan, year: int, plant: dict[str, list[str]]) -> tuple[np.ndarray, rasterio.Affine]:
    """The land-cover array of ``year`` and its transform."""
    transform, width, height = _grid(plan)
    rng = np.random.default_rng(SEED + 1)  # the same speckle every year: a lawn stays a lawn
    arr = np.full((height, width), CROP, dtype="uint8")
    # scattered tree patches (the same in every year)
    trees = np.random.default_rng(SEED).random((height // 20 + 1, width // 20 + 1)) < 0.04
    arr[np.kron(trees, np.ones((20, 20), dtype=bool))[:height, :width]] = TREE
    cls = _parcel_classes(plan, year, plant)
    burnt = rasterio.features.rasterize(
        zip(plan.parcels.geometry.to_numpy(), cls.tolist()), out_shape=(height, width), transform=transform, fill=0, dtype="uint8"
    )
    arr = np.where(burnt > 0, burnt, arr).astype("uint8")
    speckle = rng.random(arr.shape)
    arr[(arr == BUILT) & (speckle < 0.12)] = GRASS
    arr[(arr == GRASS) & (burnt == GRASS) & (speckle > 0.8)] = TREE
    return arr, transform


def build(plan_path: Path = HERE / "linqing.gpkg", out_dir: Path = HERE) -> dict[int, Path]:
    """Write the two rasters; return year → path."""
    plan = Plan.read(plan_path)
    plant = planted(plan)
    out: dict[int, Path] = {}
    for year in YEARS:
        arr, transform = landcover(plan, year, plant)
        path = Path(out_dir) / f"linqing_landcover_{year}.tif"
        profile = class_raster_profile(plan.crs, transform, width=arr.shape[1], height=arr.shape[0], predictor=2, zlevel=9)
        with rasterio.open(path, "w", **profile) as ds:
            ds.write(arr, 1)
            ds.update_tags(
                year=str(year),
                scheme="worldcover",
                source="illustrative: drawn from layers/linqing.gpkg by layers/build_rasters.py, not imagery",
                **{f"planted_{k}": ",".join(v) for k, v in plant.items()},
            )
        classes = get_scheme("worldcover").table
        write_legend(
            path,
            pd.DataFrame(
                {
                    "value": classes.index,
                    "label": [f"{v} {zh} {en}" for v, zh, en in zip(classes.index, classes["name_zh"], classes["name"])],
                    "color": classes["color"],
                }
            ),
        )
        out[year] = path
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python layers/build_rasters.py [--plan PLAN] [--out DIR]``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan", type=Path, default=HERE / "linqing.gpkg")
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    for _year, path in build(args.plan, args.out).items():
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)")
    for kind, ids in planted(Plan.read(args.plan)).items():
        print(f"planted {kind}: {', '.join(ids)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
