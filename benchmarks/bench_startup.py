"""Start-up of the command line: ``zoneplan --help`` and ``zoneplan info PLAN`` against ``python -c pass``.

Each command runs as a user runs it — a fresh ``python -m zoneplan …`` process — ``REPEAT`` times,
interleaved with the baseline ``python -c pass`` (the interpreter's own start-up, measured in the
same run so that a loaded machine slows both); the figures are the medians of the wall-clock
seconds and of the CPU seconds (user + system) of the child processes.

Targets (issue #17): ``--help`` and ``info PLAN`` in ≤ 0.5 s. The machine is shared: under load a
process waits for a core, so its wall time says more about the other jobs than about zoneplan.
Start-up is single-threaded, so its CPU seconds are what the wall time is on an idle machine; the
verdict is on those (``cpu_s[cmd] ≤ 0.5``), and both ratios to ``python -c pass`` (wall and CPU,
same run) are reported.
``info`` on a saved plan answers from the summary table its GeoPackage carries
(:mod:`zoneplan.io._summary`) with ``sqlite3`` alone; ``import_geopandas`` (pandas, shapely,
pyproj, pyogrio) is what a full read would add, measured so that the gap stays visible. ``ZONEPLAN_BENCH_STARTUP_REPEAT``
sets the repeats (default 7).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from zoneplan import datasets

TARGET_S = 0.5


def _run(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env={**os.environ, "ZONEPLAN_PROGRESS": "0"})
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{args} exited {done.returncode}: {done.stderr[-500:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(out_dir: Path) -> dict:
    """Run the benchmark; returns the figures (medians in seconds, ratios to ``python -c pass``)."""
    repeat = int(os.environ.get("ZONEPLAN_BENCH_STARTUP_REPEAT", "7"))
    plan = str(datasets.get_path("linqing"))
    cases = {
        "python_pass": [sys.executable, "-c", "pass"],
        "help": [sys.executable, "-m", "zoneplan", "--help"],
        "info": [sys.executable, "-m", "zoneplan", "info", plan],
        "import_geopandas": [sys.executable, "-c", "import geopandas"],
    }
    samples: dict[str, list[tuple[float, float]]] = {k: [] for k in cases}
    for _ in range(repeat):
        for name, args in cases.items():
            samples[name].append(_run(args))
    wall = {k: statistics.median(w for w, _ in v) for k, v in samples.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in samples.items()}
    figures = {
        "repeat": repeat,
        "wall_s": wall,
        "cpu_s": cpu,
        "wall_ratio_to_python_pass": {k: wall[k] / wall["python_pass"] for k in cases if k != "python_pass"},
        "cpu_ratio_to_python_pass": {k: cpu[k] / cpu["python_pass"] for k in cases if k != "python_pass"},
        "target_s": TARGET_S,
        "meets_target": {k: cpu[k] <= TARGET_S for k in ("help", "info")},
    }
    for k in ("help", "info", "import_geopandas"):
        print(
            f"{k:18s} {wall[k]:6.3f} s wall ({wall[k] / wall['python_pass']:5.1f}× python -c pass), {cpu[k]:6.3f} s cpu ({cpu[k] / cpu['python_pass']:5.1f}×)"
        )
    print(f"target ≤ {TARGET_S} s (cpu): met {figures['meets_target']}")
    return figures
