"""Validation inside a detailed zone outline, against the time to read the same plan.

A real zone outline has tens of thousands of vertices (the national high-tech zone of the #18
report: 43,678); cutting every parcel with it costs milliseconds per parcel. One zone with a
40,000-vertex outline (a wiggly disc) holds ``N`` parcels on a 100 m grid (70 m squares); those
whose centre lies within 50 m outside the outline's mean radius are kept too, so a ring of parcels
crosses or leaves the outline, as surveyed data does. Written once to a GeoPackage, then in the
same run:

* ``read_s`` — :meth:`zoneplan.plan.Plan.read` of that GeoPackage, the baseline (fastest of
  :data:`READS`);
* ``validate_s`` — :func:`zoneplan.validate.validate` (schema, geometry, overlaps, codes, values
  and every parcel against its zone);
* ``outside_zone_s`` — the containment part alone (:func:`zoneplan._geometry.parts_outside`);
* ``plain_difference_per_parcel_s`` — ``shapely.difference(parcel, outline)`` on the parcels that
  cross the outline (a sample of them, scaled): what the check cost before the prefilter.

Target: ``validate_s / read_s ≤ 2``. ``ZONEPLAN_BENCH_VALIDATE_N`` sets ``N`` (default 1,000,000).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from zoneplan._geometry import parts_outside
from zoneplan.plan import Plan
from zoneplan.validate import validate

OUTLINE_VERTICES = 40_000
#: Reads of the GeoPackage; the fastest is the baseline.
READS = 3
PITCH_M, SIZE_M = 100.0, 70.0
X0, Y0 = 500_000.0, 4_000_000.0  # EPSG:4548 false easting, ~36°N


def _outline(radius: float) -> shapely.Polygon:
    rng = np.random.default_rng(0)
    t = np.linspace(0, 2 * np.pi, OUTLINE_VERTICES, endpoint=False)
    r = radius + 0.004 * radius * np.sin(37 * t) + 0.0015 * radius * np.sin(411 * t) + rng.normal(0, 2, OUTLINE_VERTICES)
    return shapely.Polygon(np.c_[X0 + r * np.cos(t), Y0 + r * np.sin(t)])


def _plan_path(n: int, cache_dir: Path) -> Path:
    path = cache_dir / f"validate-{n}-{OUTLINE_VERTICES}.gpkg"
    if path.exists():
        return path
    radius = PITCH_M * np.sqrt(n / np.pi)
    k = int(np.ceil(radius / PITCH_M)) + 2
    ix, iy = np.meshgrid(np.arange(-k, k), np.arange(-k, k))
    x, y = ix.ravel() * PITCH_M, iy.ravel() * PITCH_M
    keep = np.hypot(x + SIZE_M / 2, y + SIZE_M / 2) < radius + 50
    x, y = X0 + x[keep], Y0 + y[keep]
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": [f"P{i}" for i in range(len(x))],
            "zone_id": "Z1",
            "landuse_code": np.where(np.arange(len(x)) % 3 == 0, "100101", "0701"),
            "status": "built",
        },
        geometry=shapely.box(x, y, x + SIZE_M, y + SIZE_M),
        crs=4548,
    )
    zones = gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["细节边界开发区"]}, geometry=[_outline(radius)], crs=4548)
    cache_dir.mkdir(parents=True, exist_ok=True)
    Plan({"zones": zones, "parcels": parcels}, meta={"name": "bench-validate"}).write(path)
    return path


def main(out_dir: Path) -> dict:
    """Run the benchmark; returns the figures (seconds, counts, ratio, target)."""
    n = int(os.environ.get("ZONEPLAN_BENCH_VALIDATE_N", "1000000"))
    path = _plan_path(n, Path(out_dir) / "data")
    reads = []
    for _ in range(READS):  # the first read of a run has been 1.5–7.1 s (file cache, lazy imports): the fastest counts
        t = time.perf_counter()
        plan = Plan.read(path)
        reads.append(time.perf_counter() - t)
    read_s = min(reads)
    t = time.perf_counter()
    problems = validate(plan)
    validate_s = time.perf_counter() - t
    geoms = np.asarray(plan.parcels.geometry.values, dtype=object)
    zone = plan.zones.geometry.to_numpy()
    t = time.perf_counter()
    outside = shapely.area(parts_outside(geoms, zone, owner=np.zeros(len(geoms), dtype=np.int64)))
    outside_zone_s = time.perf_counter() - t
    crossing = np.flatnonzero((outside > 0) & (outside < SIZE_M**2 - 1e-6))
    sample = crossing[:: max(1, len(crossing) // 200)]
    t = time.perf_counter()
    shapely.difference(geoms[sample], zone[0])
    plain_s = (time.perf_counter() - t) / max(1, len(sample)) * len(crossing)
    figures = {
        "parcels": len(geoms),
        "outline_vertices": int(shapely.get_num_coordinates(zone[0])),
        "parcels_crossing_outline": len(crossing),
        "parcels_outside_flagged": int((problems["rule"] == "outside_zone").sum()),
        "read_s": read_s,
        "reads_s": reads,
        "validate_s": validate_s,
        "outside_zone_s": outside_zone_s,
        "plain_difference_per_parcel_s": plain_s,
        "validate_over_read": validate_s / read_s,
        "plain_over_prefiltered": plain_s / outside_zone_s,
    }
    figures["targets"] = {"validate ≤ 2× read": figures["validate_over_read"] <= 2}
    print(
        f"validate: {figures['parcels']:,} parcels in a {figures['outline_vertices']:,}-vertex zone "
        f"({len(crossing):,} crossing it): read {read_s:.2f} s, validate {validate_s:.2f} s "
        f"({figures['validate_over_read']:.2f}× read; target ≤ 2×), containment {outside_zone_s:.2f} s "
        f"vs {plain_s:.1f} s cutting with the whole outline"
    )
    return figures
