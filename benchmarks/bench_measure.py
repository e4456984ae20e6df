"""Benchmark: ellipsoidal area (国土调查办发〔2008〕32号, :func:`zoneplan.measure.ellipsoidal_area_m2`) against reading the parcels.

For each size N (default 1 000 000 parcels, :func:`benchmarks.synthetic.make_plan`, cached in
``out_dir/cache``) a fresh process

1. reads the ``parcels`` layer with ``pyogrio.read_dataframe(..., use_arrow=True)`` — the baseline;
2. times :func:`~zoneplan.measure.ellipsoidal_area_m2` on it, with the default straight edges
   (one extra inverse-projected midpoint per edge) and with ``edges="vertices"`` (the notice's sum
   alone), and the planar ``area_m2`` for scale.

Target (issue 12): ellipsoidal area of 1M parcels ≤ 1 × the time of reading them.
``ZONEPLAN_BENCH_MEASURE_SIZES=100000`` picks other sizes (quick runs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

SIZES = (1_000_000,)


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _measure(path: str) -> dict:
    """Run in a child process: read time, ellipsoidal and planar area times."""
    import pyogrio
    import shapely

    from zoneplan.measure import area_m2, ellipsoidal_area_m2

    read_s = _best(lambda: pyogrio.read_dataframe(path, layer="parcels", use_arrow=True), repeat=2)
    parcels = pyogrio.read_dataframe(path, layer="parcels", use_arrow=True)
    figures = {
        "parcels": len(parcels),
        "vertices": int(shapely.get_num_coordinates(parcels.geometry.values).sum()),
        "read_s": read_s,
        "ellipsoidal_s": _best(lambda: ellipsoidal_area_m2(parcels)),
        "ellipsoidal_vertices_s": _best(lambda: ellipsoidal_area_m2(parcels, edges="vertices")),
        "planar_s": _best(lambda: area_m2(parcels)),
    }
    ell = ellipsoidal_area_m2(parcels).sum()
    figures["planar_over_ellipsoidal"] = float(area_m2(parcels).sum() / ell)
    return figures


def main(out_dir: Path) -> dict:
    """Measure every size; print and return the figures."""
    from benchmarks.synthetic import plan_path

    sizes = tuple(int(s) for s in os.environ.get("ZONEPLAN_BENCH_MEASURE_SIZES", ",".join(map(str, SIZES))).split(","))
    cache = Path(out_dir) / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parent.parent
    results = {}
    for n in sizes:
        path = plan_path(n, cache_dir=cache)
        code = f"import json, benchmarks.bench_measure as b; print(json.dumps(b._measure({str(path)!r})))"
        proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(root)})
        figures = json.loads(proc.stdout.strip().splitlines()[-1])
        figures["ratio_ellipsoidal_to_read"] = figures["ellipsoidal_s"] / figures["read_s"]
        figures["ratio_ellipsoidal_vertices_to_read"] = figures["ellipsoidal_vertices_s"] / figures["read_s"]
        results[str(n)] = figures
        print(
            f"N={n:>9,} ({figures['vertices']:,} vertices): read parcels (pyogrio arrow) {figures['read_s']:.2f} s, "
            f"ellipsoidal area {figures['ellipsoidal_s']:.2f} s, ratio {figures['ratio_ellipsoidal_to_read']:.2f}× (target ≤ 1×); "
            f"vertices only {figures['ellipsoidal_vertices_s']:.2f} s ({figures['ratio_ellipsoidal_vertices_to_read']:.2f}×), "
            f"planar {figures['planar_s']:.2f} s",
            flush=True,
        )
    return results
