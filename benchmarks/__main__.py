"""Run every benchmark module (``bench_*.py``); ``python -m benchmarks NAME…`` runs a subset."""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path

import benchmarks

out_dir = Path(__file__).parent / "out"
out_dir.mkdir(exist_ok=True)
wanted = set(sys.argv[1:])
results = {}
for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
    name = info.name
    if not name.startswith("bench_") or (wanted and name.removeprefix("bench_") not in wanted and name not in wanted):
        continue
    print(f"== {name}", flush=True)
    results[name] = importlib.import_module(f"benchmarks.{name}").main(out_dir)
(out_dir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
print(f"figures written to {out_dir / 'results.json'}")
