"""The package as a user gets it: sdist → wheel → a fresh venv with no checkout → ``zoneplan demo``.

The wheel is built the ordinary way (``python -m build``: an sdist, then the wheel from that sdist,
in an isolated build environment), installed with ``pip`` into a new virtual environment in a
temporary directory outside the checkout, and run from there with no ``PYTHONPATH`` and no
``$ZONEPLAN_LAYERS``: the demo must find its sample plans and map assets inside the installed
package, and one of the maps it wrote must draw in headless Chromium with zero console errors and
zero requests leaving the machine. Slow (pip resolves and installs every dependency): ``make
test-fast`` leaves it out, ``make test`` runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from tests.browser import Opened

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
SAMPLES = {"liaocheng.gpkg", "linqing.gpkg", "zhangdian.gpkg", "linqing_landcover_2018.tif", "linqing_landcover_2023.tif"}

pytestmark = [pytest.mark.slow, pytest.mark.wheel]


def _clean_env() -> dict[str, str]:
    """The environment of a user's shell: no checkout on the path, no sample-plan override."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "ZONEPLAN_LAYERS", "VIRTUAL_ENV", "PYTHONHOME"}}
    env["ZONEPLAN_PROGRESS"] = "0"
    return env


def _run(args: list[str | Path], *, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args} exited {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build`` of the checkout: the sdist and the wheel built from it."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out, timeout=600)
    return out


def test_the_sdist_carries_the_sample_plans_and_the_wheel_bundles_them(dist: Path) -> None:
    (sdist,) = dist.glob("zoneplan-*.tar.gz")
    with tarfile.open(sdist) as tar:
        in_sdist = {Path(n).name for n in tar.getnames() if "/layers/" in n}
    assert in_sdist >= SAMPLES
    (wheel,) = dist.glob("zoneplan-*.whl")
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
    assert {f"zoneplan/_layers/{n}" for n in SAMPLES} <= names
    assert {"zoneplan/py.typed", "zoneplan/maps/assets/zoneplan.js", "zoneplan/maps/assets/zoneplan.css", "zoneplan/data/landuse_2023.csv"} <= names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "layers/"))]  # the package only
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    with zipfile.ZipFile(wheel) as whl:
        text = whl.read(meta).decode()
    assert "Requires-Python: >=3.11" in text
    for extra in ("postgis", "dask", "notebooks", "all", "dev", "docs"):
        assert f"Provides-Extra: {extra}\n" in text


def test_pip_refuses_the_wheel_on_python_3_10(dist: Path, tmp_path: Path) -> None:
    # scenario files are read with tomllib (3.11+): the metadata must say so, and pip must act on it.
    (wheel,) = dist.glob("zoneplan-*.whl")
    args = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        "3.10",
        "--target",
        tmp_path / "t",
        wheel,
    ]
    done = subprocess.run([str(a) for a in args], env=_clean_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Requires-Python >=3.11" in done.stderr or "requires a different Python" in done.stderr


def test_installed_wheel_runs_the_demo_and_its_map_draws_offline(dist: Path, tmp_path: Path, browser) -> None:
    (wheel,) = dist.glob("zoneplan-*.whl")
    home = tmp_path / "user"  # a directory with no checkout anywhere above it
    home.mkdir()
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    _run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel], cwd=home, timeout=1200)

    where = _run([py, "-c", "import zoneplan, zoneplan.datasets as d; print(zoneplan.__file__); print(d.layers_dir())"], cwd=home, timeout=120).stdout.split()
    assert Path(where[0]).is_relative_to(env_dir) and not Path(where[0]).is_relative_to(ROOT)
    assert Path(where[1]) == Path(where[0]).parent / "_layers"

    demo = _run([env_dir / "bin" / "zoneplan", "demo", "--out", "out"], cwd=home, timeout=900)
    assert "demo finished: every step ended as expected" in demo.stdout
    out = home / "out"
    assert (out / "zhangdian-phases.png").stat().st_size > 10_000
    assert (out / "linqing-report.xlsx").is_file()

    opened = Opened(browser, out / "zhangdian-phases.html")
    SHOTS.mkdir(parents=True, exist_ok=True)
    opened.page.screenshot(path=str(SHOTS / "wheel_zhangdian_phases.png"))
    assert opened.errors == []
    assert opened.external == []
    counts = opened.page.evaluate("ZP.drawnCounts()")
    assert counts["分期 Phases"] == 3 and counts["开发区 Zone"] == 1  # (+ grey context layers such as named roads)
    opened.page.close()
