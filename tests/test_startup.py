"""The command line starts light: ``--help`` imports no command module, a command imports only its own.

(The timings are in ``benchmarks/bench_startup.py``; here, what makes them: which modules load.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from zoneplan import datasets

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "geopandas", "shapely", "pyproj", "matplotlib", "folium", "pyogrio", "rasterio")


def _modules_after(args: list[str]) -> tuple[int, set[str], str]:
    code = (
        "import json, sys\n"
        "from zoneplan.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit as e:\n    code = e.code\n"
        "sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)))\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "COLUMNS": "100", "ZONEPLAN_PROGRESS": "0"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    err, _, mods = done.stderr.rpartition("\nMODULES ")
    return done.returncode, set(json.loads(mods)), done.stdout + err


def test_help_imports_no_command_module_and_nothing_heavy():
    code, modules, out = _modules_after(["--help"])
    assert code == 0 and "Commands" in out
    assert not [m for m in modules if m.startswith("zoneplan.cli.") and m.endswith("_commands")]
    assert not [m for m in HEAVY if m in modules]


def test_help_from_the_index_is_the_help_of_the_whole_cli():
    fast = _modules_after(["--help"])[2]
    code = "from zoneplan.cli import app\napp(args=['--help'], prog_name='zoneplan', standalone_mode=False)"
    env = {**os.environ, "COLUMNS": "100"}
    full = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300).stdout
    assert fast.strip() == full.strip()
    for command in ("analyze", "check", "demo", "map", "import", "info", "validate", "report", "raster", "scenario"):
        assert f"│ {command} " in fast


def test_a_command_imports_only_its_own_module():
    code, modules, out = _modules_after(["info", str(datasets.get_path("zhangdian"))])
    assert code == 0 and "phases" in out
    loaded = sorted(m for m in modules if m.startswith("zoneplan.cli.") and m.endswith("_commands"))
    assert loaded == ["zoneplan.cli.plan_commands"]
    assert "matplotlib" not in modules and "folium" not in modules


def test_info_on_a_saved_plan_imports_nothing_heavy():
    # the summary the GeoPackage carries answers it (zoneplan.io._summary); typer's pydantic neither
    code, modules, out = _modules_after(["info", str(datasets.get_path("linqing"))])
    assert code == 0 and "parcels" in out and "1087" in out
    assert not [m for m in (*HEAVY, "numpy", "pydantic") if m in modules]


def test_a_module_with_a_single_command_still_runs_it_by_name():
    # analysis_commands defines `analyze` alone: zoneplan must stay a group of commands
    code, modules, out = _modules_after(["analyze", str(datasets.get_path("zhangdian")), "--by", "phase"])
    assert code == 0, out
    assert sorted(m for m in modules if m.startswith("zoneplan.cli.") and m.endswith("_commands")) == ["zoneplan.cli.analysis_commands"]


def test_an_unknown_command_is_refused_in_one_line():
    code, _, out = _modules_after(["no-such-command"])
    assert code == 2 and "No such command" in out
