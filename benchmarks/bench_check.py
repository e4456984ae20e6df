"""Compliance at province scale: the control-line check against the time to read the same data.

A synthetic province (:func:`benchmarks.synthetic.make_plan`: 1M parcels, 50 zones, ~10k
control-line polygons — urban development boundaries, red line and farmland octagons, one in ten
over parcels) is written once to a GeoPackage, then in the same run:

* ``read_s`` — :meth:`zoneplan.plan.Plan.read` of that GeoPackage (pyogrio, Arrow, every layer
  cast to the layer contract), the baseline; ``read_layers_s`` — only the raw
  ``pyogrio.read_dataframe(use_arrow=True)`` of the two layers the check reads (parcels, control lines);
* ``control_lines_s`` — :func:`zoneplan.compliance.control_line_conflicts` on a freshly built plan
  (land-use flags, spatial index, candidate-pair intersections, boundary containment);
* ``overlay_s`` — the desktop-GIS way for the red line and farmland part only:
  ``geopandas.overlay(construction parcels, red line + farmland, how="intersection")``;
* ``check_s`` — the whole :func:`zoneplan.compliance.check` (all rule families).

Ratios: ``control_lines_s / read_s`` (target ≤ 2), ``control_lines_s / read_layers_s`` and
``overlay_s / control_lines_s``. The overlay is no strawman: geopandas also uses the spatial index
and intersects candidate pairs only; it does not unite a parcel's pieces, apply the sliver
tolerance, judge the boundary or build evidence.
Run with ``python -m benchmarks check``; ``ZONEPLAN_BENCH_CHECK_N=100000`` for a quick run
(``ZONEPLAN_BENCH_CHECK_LINES`` sets the control polygons, default 10 000).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import geopandas as gpd
import pyogrio

from benchmarks.synthetic import plan_path
from zoneplan._memo import clear
from zoneplan.compliance import check, control_line_conflicts
from zoneplan.compliance._base import parcel_flags
from zoneplan.plan import Plan


def _fresh(plan: Plan) -> Plan:
    """The same layers in a new Plan object with nothing memoised, so no derived table is reused from an earlier run."""
    clear()
    return Plan(plan.layers, plan.tables, crs=plan.crs, meta=plan.meta)


def _best(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(out_dir: Path) -> dict:
    """Run the benchmark; returns the figures (seconds, counts, ratios)."""
    n = int(os.environ.get("ZONEPLAN_BENCH_CHECK_N", "1000000"))
    n_lines = int(os.environ.get("ZONEPLAN_BENCH_CHECK_LINES", "10000"))
    repeat = 2 if n >= 500_000 else 3
    t0 = time.perf_counter()
    path = plan_path(n, cache_dir=out_dir, n_control_polygons=n_lines)
    prepare_s = time.perf_counter() - t0

    read_s, plan = _best(lambda: Plan.read(path), repeat)
    read_layers_s, _ = _best(lambda: [pyogrio.read_dataframe(path, layer=name, use_arrow=True) for name in ("parcels", "control_lines")], repeat)
    control_s, found = _best(lambda: control_line_conflicts(_fresh(plan)), repeat)

    lines = plan.control_lines
    fresh = _fresh(plan)
    construction = fresh.parcels[parcel_flags(fresh, None)["construction"].to_numpy()]
    forbidden = lines[lines["kind"].isin(["ecological_redline", "basic_farmland"])]
    t0 = time.perf_counter()
    naive = gpd.overlay(construction[["parcel_id", "geometry"]], forbidden[["kind", "geometry"]], how="intersection", keep_geom_type=True)
    overlay_s = time.perf_counter() - t0
    naive_m2 = float(naive.area[naive.area > 1.0].sum())
    ours_m2 = float(found.violations.loc[found.violations["rule"] != "outside_urban_development_boundary", "area_m2"].sum())

    check_s, findings = _best(lambda: check(_fresh(plan)), 1)
    result = {
        "parcels": len(plan.parcels),
        "control_polygons": len(lines),
        "prepare_s": round(prepare_s, 2),
        "read_s": round(read_s, 3),
        "read_layers_s": round(read_layers_s, 3),
        "control_lines_s": round(control_s, 3),
        "ratio_control_lines_to_read": round(control_s / read_s, 2),
        "ratio_control_lines_to_read_layers": round(control_s / read_layers_s, 2),
        "overlay_s": round(overlay_s, 3),
        "ratio_overlay_to_control_lines": round(overlay_s / control_s, 1),
        "overlap_m2_ours": round(ours_m2, 1),
        "overlap_m2_overlay": round(naive_m2, 1),
        "check_s": round(check_s, 3),
        "ratio_check_to_read": round(check_s / read_s, 2),
        "violations": len(findings.violations),
        "violations_by_rule": {r.rule: int(r.count) for r in findings.summary.itertuples()},
        "cannot_judge": len(findings.cannot_judge),
    }
    print(
        f"{result['parcels']:,} parcels × {result['control_polygons']:,} control polygons: read {read_s:.2f} s "
        f"(raw layers {read_layers_s:.2f} s), control lines {control_s:.2f} s ({result['ratio_control_lines_to_read']}× read, "
        f"{result['ratio_control_lines_to_read_layers']}× raw read; target ≤ 2×), "
        f"overlay {overlay_s:.2f} s ({result['ratio_overlay_to_control_lines']}× ours), whole check {check_s:.2f} s "
        f"({result['ratio_check_to_read']}× read), {result['violations']:,} violations"
    )
    return result


if __name__ == "__main__":
    print(main(Path(__file__).parent / "out"))
