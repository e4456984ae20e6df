"""Benchmark: full ``zoneplan.analysis.analyze`` against reading the same plan with pyogrio (arrow).

For each size N (default 100 000 and 1 000 000 parcels in 50 zones with 1000 control-line
polygons, :func:`benchmarks.synthetic.make_plan`) the plan is written once to a GeoPackage
(cached in ``out_dir/cache``), then a fresh process

1. reads every layer with ``pyogrio.read_dataframe(..., use_arrow=True)`` — the baseline;
2. opens the plan (:meth:`zoneplan.plan.Plan.read`, not timed) and times ``analyze(plan)`` (by zone,
   the plan as it stands, targets of other years included) with nothing memoised
   (:func:`zoneplan._memo.clear`; the time includes fingerprinting the plan's content);
3. reports its peak resident memory.

Target (issue 4): analyze ≤ 2 × read time at 1M parcels, peak memory ≤ 4 GB.
``ZONEPLAN_BENCH_ANALYZE_SIZES=20000,100000`` picks other sizes (quick runs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

SIZES = (100_000, 1_000_000)


def _measure(path: str) -> dict:
    """Run in a child process: read time, analyze time, peak RSS."""
    import resource

    import pyogrio

    from zoneplan._memo import clear
    from zoneplan.analysis import analyze
    from zoneplan.plan import Plan

    layers = [name for name, _ in pyogrio.list_layers(path) if name != "layer_styles"]
    reads = []
    for _ in range(2):
        t = time.perf_counter()
        for name in layers:
            pyogrio.read_dataframe(path, layer=name, use_arrow=True)
        reads.append(time.perf_counter() - t)
    runs = []
    for _ in range(2):
        plan = Plan.read(path)
        clear()  # cold: nothing memoised from the previous run of the same content
        t = time.perf_counter()
        doc = analyze(plan)
        runs.append(time.perf_counter() - t)
        del plan
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    return {"read_s": min(reads), "analyze_s": min(runs), "groups": len(doc["groups"]), "targets": len(doc["targets"]), "peak_rss_gb": peak_gb}


def main(out_dir: Path) -> dict:
    """Measure every size; print and return the figures."""
    from benchmarks.synthetic import plan_path

    sizes = tuple(int(s) for s in os.environ.get("ZONEPLAN_BENCH_ANALYZE_SIZES", ",".join(map(str, SIZES))).split(","))
    cache = Path(out_dir) / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    results = {}
    root = Path(__file__).resolve().parent.parent
    for n in sizes:
        t = time.perf_counter()
        path = plan_path(n, cache_dir=cache)
        prepare = time.perf_counter() - t
        code = f"import json, benchmarks.bench_analyze as b; print(json.dumps(b._measure({str(path)!r})))"
        proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(root)})
        figures = json.loads(proc.stdout.strip().splitlines()[-1])
        figures["ratio_analyze_to_read"] = figures["analyze_s"] / figures["read_s"]
        figures["prepare_s"] = prepare
        figures["gpkg_mb"] = path.stat().st_size / 1e6
        results[str(n)] = figures
        print(
            f"N={n:>9,}: read (pyogrio arrow, all layers) {figures['read_s']:.2f} s, analyze {figures['analyze_s']:.2f} s, "
            f"ratio {figures['ratio_analyze_to_read']:.2f}× (target ≤ 2×), peak RSS {figures['peak_rss_gb']:.2f} GB (target ≤ 4 GB)",
            flush=True,
        )
    return results


if __name__ == "__main__":  # pragma: no cover
    main(Path(__file__).parent / "out")
