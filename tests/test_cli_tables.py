"""Tables for people: they fit the terminal (wrapped or transposed, ids never cut), numbers rounded with units."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from zoneplan import datasets
from zoneplan.analysis import target_status
from zoneplan.cli._tables import quantity, table_of

ROOT = Path(__file__).resolve().parents[1]


def run(*args: object, columns: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns), "ZONEPLAN_PROGRESS": "0"}
    return subprocess.run([sys.executable, "-m", "zoneplan", *map(str, args)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def _widest_line(text: str) -> int:
    from rich.cells import cell_len

    return max(cell_len(line) for line in text.splitlines())


@pytest.mark.parametrize("columns", [80, 160])
def test_analyze_targets_fit_the_terminal_with_whole_ids_and_rounded_numbers(columns):
    done = run("analyze", datasets.get_path("linqing"), columns=columns)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert _widest_line(out) <= columns
    assert "…" not in out
    targets = target_status(datasets.load("linqing"))
    for scope, metric in zip(targets["scope"], targets["metric"]):
        assert scope in out and metric in out
    assert not re.search(r"\d[eE][-+]\d", out), "a number printed in scientific notation"
    assert "≥ 34.37 %" in out and "-1.2 mu" in out  # the 2035 industrial share: a 1.153-mu shortfall
    assert "yes, within tolerance" in out
    assert "less than 0.05% of its value" in out
    if columns == 160:  # wide enough: one table, one row per target
        assert sum("linqing-city" in line and "industrial_share" in line for line in out.splitlines()) == 2


def test_the_within_tolerance_row_is_the_one_that_misses_strictly():
    t = target_status(datasets.load("linqing")).set_index(["scope", "metric", "year"])
    row = t.loc[("linqing-city", "industrial_share", 2035)]
    assert bool(row["met"]) and row["actual"] < row["target"] and row["tolerance"] == pytest.approx(0.0005)
    assert row["gap_mu"] == pytest.approx(-1.153, abs=0.001)


def test_wide_frames_transpose_and_keep_every_cell_whole():
    console = Console(width=60, record=True, color_system=None)
    ids = [f"linqing-textiles-and-garments-park-{i}" for i in range(3)]
    frame = pd.DataFrame({"group_id": ids, "remaining_mu": [1234.5678, -1e-9, 2.0], "note": ["a long explanation of the row"] * 3})
    console.print(table_of(frame, title="Remaining", console=console))
    text = console.export_text()
    assert _widest_line(text) <= 60
    assert "…" not in text
    assert all(i in text for i in ids)
    assert "1,234.57" in text and "-0.00" not in text


def test_quantities_carry_their_unit():
    assert quantity(1.607e-07, "km2") == "0.00 km²"
    assert quantity(0.34367, "fraction") == "34.37 %"
    assert quantity(15694.51, "mu") == "15,694.5 mu"
    assert quantity(float("nan"), "mu") == ""
