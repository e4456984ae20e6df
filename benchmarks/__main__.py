"""Run the benchmark modules (``bench_*.py``): ``python -m benchmarks [NAME …]``.

Each module runs in a process of its own, so its peak memory is its own (peak RSS only grows
within a process). Each writes its figures to ``out/<module>.json``; all are gathered in
``out/results.json``.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import benchmarks

out_dir = Path(__file__).parent / "out"
out_dir.mkdir(exist_ok=True)
modules = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))
wanted = [a if a.startswith("bench_") else f"bench_{a}" for a in sys.argv[1:]] or modules
unknown = sorted(set(wanted) - set(modules))
if unknown:
    sys.exit(f"no benchmark {', '.join(unknown)}; available: {', '.join(m.removeprefix('bench_') for m in modules)}")

if len(wanted) == 1:
    name = wanted[0]
    figures = importlib.import_module(f"benchmarks.{name}").main(out_dir)
    (out_dir / f"{name}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str))
else:
    results, failed = {}, []
    for name in wanted:
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, "-m", "benchmarks", name]).returncode != 0:
            failed.append(name)
            continue
        results[name] = json.loads((out_dir / f"{name}.json").read_text())
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(f"figures written to {out_dir / 'results.json'}")
    if failed:
        sys.exit(f"benchmarks failed: {', '.join(failed)}")
