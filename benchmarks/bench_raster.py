"""Raster zonal statistics on a 20,000 × 20,000 land-cover raster: peak memory stays bounded.

The bench writes a tiled, DEFLATE-compressed WorldCover-like GeoTIFF (400 million cells of 10 m,
EPSG:4548) strip by strip, then measures, each in a fresh process:

- ``baseline``: what a naive approach needs — reading the band into memory once (``ds.read(1)``)
  and counting each class (``count_nonzero(arr == v)``);
- ``zones``: :func:`zoneplan.raster.zonal.class_areas` for 50 zone polygons tiling the raster
  (edges off the pixel grid, so cells are cut; their class areas must add up to the cell counts);
- ``whole``: the same for one polygon covering the whole raster (exactextract reads it in pieces
  of at most ``max_cells_in_memory`` cells).

Peak memory is the child process's maximum resident set size.

Measured (2 cores, shared; 400 M cells, 4.6 MB on disk): baseline 955 MB peak; ``zones`` and
``whole`` **240 MB** peak each (×0.25 of the baseline; the interpreter with geopandas alone is
~200 MB), 15 s and 19 s; class areas equal the cell counts to 6e-12. Before the GDAL block cache was
capped (``zoneplan.raster.zonal.GDAL_CACHE_MB``) and the cells in memory bounded to 4 M, the same
runs peaked at 754 and 1136 MB. Printed: seconds and peak MB of
each, and the ratios against the baseline. ``ZONEPLAN_BENCH_RASTER_SIZE`` sets another side length
(cells) for a quick run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SIZE = int(os.environ.get("ZONEPLAN_BENCH_RASTER_SIZE", "20000"))
RES = 10.0
X0, Y0 = 300_000.0, 3_900_000.0
CLASSES = np.array([10, 30, 40, 50, 60, 80], dtype="uint8")


def make_raster(path: Path, size: int = SIZE, *, strip_rows: int = 512) -> Path:
    """Write the synthetic land-cover raster strip by strip (bounded memory)."""
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 1,
        "dtype": "uint8",
        "nodata": 0,
        "crs": "EPSG:4548",
        "transform": from_origin(X0, Y0 + size * RES, RES, RES),
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "deflate",
        "BIGTIFF": "IF_SAFER",
    }
    cols = np.arange(size)
    with rasterio.open(path, "w", **profile) as ds:
        for r0 in range(0, size, strip_rows):
            rows = np.arange(r0, min(r0 + strip_rows, size))[:, None]
            # blocks of 70 × 110 cells with a diagonal drift: every class everywhere, many edges
            idx = (rows // 70 + (cols[None, :] + rows // 3) // 110) % len(CLASSES)
            ds.write(CLASSES[idx], 1, window=Window(0, r0, size, len(rows)))
    return path


def _child(kind: str, raster: str) -> dict:
    import resource

    import geopandas as gpd
    import rasterio
    import shapely

    t0 = time.perf_counter()
    if kind == "baseline":
        with rasterio.open(raster) as ds:
            arr = ds.read(1)
        result = {int(v): int(np.count_nonzero(arr == v)) for v in CLASSES}
    else:
        from zoneplan.raster.zonal import class_areas

        with rasterio.open(raster) as ds:
            _size, b = ds.width, ds.bounds
        if kind == "whole":
            geoms = [shapely.box(b.left, b.bottom, b.right, b.top)]
        else:
            # 10 × 5 zones tiling the raster exactly, their edges off the pixel grid (cells are cut)
            xs = np.linspace(b.left, b.right, 11)
            ys = np.linspace(b.bottom, b.top, 6)
            xs[1:-1] += 3.7
            ys[1:-1] -= 2.9
            geoms = [shapely.box(xs[i], ys[j], xs[i + 1], ys[j + 1]) for i in range(10) for j in range(5)]
        polys = gpd.GeoDataFrame(geometry=geoms, crs=4548)
        areas = class_areas(polys, raster)
        result = {int(c): float(areas[c].sum()) for c in CLASSES}
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb, "result": result}


def _measure(kind: str, raster: Path) -> dict:
    code = f"import json, benchmarks.bench_raster as b; print(json.dumps(b._child({kind!r}, {str(raster)!r})))"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(out_dir: Path) -> dict:
    """Generate the raster, measure baseline / zones / whole, print ratios, return the figures."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    raster = out_dir / f"bench_landcover_{SIZE}.tif"
    t0 = time.perf_counter()
    if not raster.exists():
        make_raster(raster)
    make_s = time.perf_counter() - t0
    figures: dict[str, object] = {"size": SIZE, "cells": SIZE * SIZE, "file_mb": raster.stat().st_size / 2**20, "make_seconds": make_s}
    for kind in ("baseline", "zones", "whole"):
        figures[kind] = _measure(kind, raster)
    base = figures["baseline"]
    cell = RES * RES
    whole_m2 = sum(figures["whole"]["result"].values())
    figures["whole_area_error"] = whole_m2 / (SIZE * SIZE * cell) - 1
    base_m2 = {k: v * cell for k, v in base["result"].items()}
    figures["zones_vs_baseline_max_rel_error"] = max(abs(figures["zones"]["result"][k] / base_m2[k] - 1) for k in base_m2 if base_m2[k])
    for kind in ("zones", "whole"):
        f = figures[kind]
        f["memory_ratio_vs_baseline"] = f["peak_mb"] / base["peak_mb"]
        f["time_ratio_vs_baseline"] = f["seconds"] / base["seconds"]
        f.pop("result")
    base.pop("result")
    print(f"raster {SIZE} × {SIZE} ({SIZE * SIZE / 1e6:.0f} M cells, {figures['file_mb']:.0f} MB on disk, made in {make_s:.1f} s)")
    print(f"  baseline full read: {base['seconds']:.1f} s, peak {base['peak_mb']:.0f} MB")
    for kind in ("zones", "whole"):
        f = figures[kind]
        print(
            f"  class_areas {kind:5s}: {f['seconds']:.1f} s, peak {f['peak_mb']:.0f} MB  (memory ×{f['memory_ratio_vs_baseline']:.2f}, time ×{f['time_ratio_vs_baseline']:.2f} of baseline)"
        )
    print(f"  area check: whole-raster polygon {figures['whole_area_error']:+.2e}, zones vs cell counts {figures['zones_vs_baseline_max_rel_error']:.2e}")
    return figures


if __name__ == "__main__":
    main(Path(__file__).parent / "out")
