"""Benchmark: the content fingerprint that lets derived tables follow in-place edits.

Derived tables are memoised under a digest of the plan's content (:mod:`zoneplan._memo`), taken
once per top-level call. This measures that digest on the synthetic province
(:func:`benchmarks.synthetic.plan_path`, default 1 000 000 parcels) against

* ``read_s`` — :meth:`zoneplan.plan.Plan.read` of the same GeoPackage (the yardstick);
* ``area_s`` — the planar areas of the parcels (:func:`zoneplan.measure.area_m2`), the cheapest
  thing the per-year table computes;
* ``analyze_s`` — a cold ``zoneplan.analysis.analyze`` (which includes one digest);

and reports the digest of the parcels' attributes and of their geometry separately.
``ZONEPLAN_BENCH_FINGERPRINT_N=100000`` for a quick run.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path


def _best(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(out_dir: Path) -> dict:
    """Measure; print and return the figures (seconds and ratios)."""
    from benchmarks.synthetic import plan_path
    from zoneplan import _memo
    from zoneplan.analysis import analyze
    from zoneplan.measure import area_m2
    from zoneplan.plan import Plan

    n = int(os.environ.get("ZONEPLAN_BENCH_FINGERPRINT_N", "1000000"))
    cache = Path(out_dir) / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    path = plan_path(n, cache_dir=cache)
    t = time.perf_counter()
    plan = Plan.read(path)
    read_s = time.perf_counter() - t
    parcels = plan.parcels
    attributes = parcels.drop(columns=parcels.geometry.name)

    def geometry_digest() -> None:
        _memo._update_geometry(hashlib.sha1(usedforsecurity=False), parcels.geometry.to_numpy())

    figures = {
        "parcels": len(parcels),
        "read_s": read_s,
        "fingerprint_s": _best(lambda: _memo._plan_digest(plan)),
        "parcel_attributes_s": _best(lambda: _memo.frame_digest(attributes)),
        "parcel_geometry_s": _best(geometry_digest),
        "area_s": _best(lambda: area_m2(parcels)),
    }

    def cold_analyze() -> None:
        _memo.clear()
        analyze(plan)

    figures["analyze_s"] = _best(cold_analyze, 1)
    figures["ratio_fingerprint_to_read"] = figures["fingerprint_s"] / read_s
    figures["ratio_fingerprint_to_analyze"] = figures["fingerprint_s"] / figures["analyze_s"]
    print(
        f"N={n:,}: fingerprint {figures['fingerprint_s']:.2f} s (attributes {figures['parcel_attributes_s']:.2f} s, "
        f"geometry {figures['parcel_geometry_s']:.2f} s) = {figures['ratio_fingerprint_to_read']:.2f}× read ({read_s:.2f} s), "
        f"{figures['ratio_fingerprint_to_analyze']:.2f}× cold analyze ({figures['analyze_s']:.2f} s); planar areas {figures['area_s']:.2f} s",
        flush=True,
    )
    return figures


if __name__ == "__main__":  # pragma: no cover
    main(Path(__file__).parent / "out")
