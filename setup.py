"""Build hook: the sample plans of ``layers/`` travel inside the wheel as ``zoneplan/_layers/``.

``layers/`` (the GeoPackages, the land-cover rasters and their builder ``layers/build.py``) stays the
one source in git; building a wheel copies the built files into the package so that an installed
zoneplan runs ``zoneplan demo`` and ``zoneplan.datasets.load`` with no checkout. The sdist carries
``layers/`` through ``MANIFEST.in``. Everything else is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SAMPLES = ("*.gpkg", "*.tif")


class build_py_with_samples(build_py):
    """``build_py`` that also copies ``layers/*.gpkg`` and ``layers/*.tif`` to ``zoneplan/_layers``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's layers/ directly
        source = Path(__file__).resolve().parent / "layers"
        target = Path(self.build_lib) / "zoneplan" / "_layers"
        files = sorted(p for pattern in SAMPLES for p in source.glob(pattern))
        if not files:
            raise SystemExit(f"no sample plans in {source}: run `make layers` first")
        target.mkdir(parents=True, exist_ok=True)
        for path in files:
            shutil.copyfile(path, target / path.name)


setup(cmdclass={"build_py": build_py_with_samples})
