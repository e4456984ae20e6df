"""The shape of the library: what ``import zoneplan`` loads, who may import the CLI, who reads the environment.

As geopandas' ``test_api``: a fresh interpreter imports zoneplan and must not have loaded any
dependency that only some commands need (maps, rasters, databases, spreadsheets, CAD, the CLI,
the extras of ``pyproject.toml``).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from zoneplan.settings import settings

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "zoneplan"

#: What a core import needs: the data model (numpy, pandas and its pyarrow strings, shapely,
#: pyproj, geopandas). Everything below is needed only by some commands or is an extra.
OPTIONAL = (
    # maps and charts
    "folium", "branca", "jinja2", "matplotlib", "mapclassify", "xyzservices",
    # rasters
    "rasterio", "exactextract",
    # files other than the plan model
    "pyogrio", "openpyxl", "ezdxf", "tomli_w",
    # the command line and progress bars
    "typer", "click", "rich",
    # extra "postgis"
    "psycopg", "sqlalchemy", "geoalchemy2",
    # extra "dask"
    "dask", "distributed", "dask_geopandas",
    # extra "dev"
    "playwright", "pytest", "nbclient", "nbformat",
)  # fmt: skip


def _python_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_import_zoneplan_loads_no_optional_dependency() -> None:
    # zoneplan imports its names on first use: touching the plan loads the core
    code = "import json, sys, zoneplan; zoneplan.Plan; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    )
    loaded = {name.split(".")[0] for name in json.loads(out.stdout)}
    assert "zoneplan" in loaded and "geopandas" in loaded  # the import did happen
    assert sorted(loaded & set(OPTIONAL)) == []


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)] + [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def test_nothing_below_the_cli_imports_it() -> None:
    cli = PACKAGE / "cli"
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in _python_files()
        if cli not in path.parents and path.name != "__main__.py"
        for line, name in _imports(path)
        if name == "zoneplan.cli" or name.startswith("zoneplan.cli.")
    ]
    assert offenders == []


def _reads_environment(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb") and isinstance(node.value, ast.Name) and node.value.id == "os":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and any(a.name in ("environ", "getenv") for a in node.names):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} from os import …")
    return found


def test_environment_variables_are_read_in_settings_only() -> None:
    offenders = [hit for path in _python_files() if path != PACKAGE / "settings.py" for hit in _reads_environment(path)]
    assert offenders == []


def test_settings_read_the_environment_when_asked(monkeypatch) -> None:
    monkeypatch.setenv("ZONEPLAN_CHROMIUM", "/opt/chromium/chrome")
    monkeypatch.setenv("ZONEPLAN_PROGRESS", "off")
    assert settings.browser_path == "/opt/chromium/chrome"  # set after import: still honoured
    assert settings.progress is False
    with settings.override(progress=True, browser_path="/usr/lib/chromium/chromium"):
        assert settings.progress is True and settings.browser_path == "/usr/lib/chromium/chromium"
    assert settings.progress is False
    monkeypatch.setenv("ZONEPLAN_AREA_BASIS", "degrees")
    with pytest.raises(ValueError, match="ZONEPLAN_AREA_BASIS: area_basis must be one of 'planar', 'ellipsoidal'"):
        settings.get("area_basis")


def test_settings_refuse_unknown_names_and_wrong_values() -> None:
    with pytest.raises(AttributeError, match="no setting 'area_tolerance'"):
        settings.area_tolerance  # noqa: B018
    with pytest.raises(ValueError, match="area_tolerance_m2 must be a number ≥ 0"):
        settings.area_tolerance_m2 = -1
    with pytest.raises(ValueError, match="cache_size"):
        settings.set(cache_size=1.5)
    assert settings.area_tolerance_m2 == 1.0  # nothing was changed by the refused assignments


def test_tolerance_setting_reaches_validate_and_compliance(tiny_plan) -> None:
    """One setting, two readers: ``validate`` overlaps and the compliance rules' default."""
    from tests.conftest import box
    from zoneplan.compliance import resolve_rules
    from zoneplan.validate import validate

    parcels = tiny_plan.parcels.copy()
    # P2 (x 300–500) reaches 0.8 m into P1 (x 0–200): an overlap of 0.8 m × 200 m = 160 m²
    parcels.loc[parcels.index[1], "geometry"] = box(199.2, 0, 300.8, 200)
    plan = tiny_plan.with_layer("parcels", parcels)
    overlaps = lambda: validate(plan).query("rule == 'overlap'")  # noqa: E731
    assert len(overlaps()) == 1
    with settings.override(area_tolerance_m2=200.0):
        assert len(overlaps()) == 0  # 160 m² is now a sliver
        assert resolve_rules(plan).overlap_tolerance_m2 == 200.0
    assert resolve_rules(plan).overlap_tolerance_m2 == 1.0
