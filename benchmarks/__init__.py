"""zoneplan benchmarks: ``make bench`` (``python -m benchmarks``) runs every ``bench_*.py`` module, each in its own process.

Each module has a ``main(out_dir: pathlib.Path) -> dict`` that measures zoneplan against a baseline
measured in the same run, prints the ratios, and returns its figures; all figures are written to
``benchmarks/out/results.json``.
"""
