"""The bundled sample plans: Zhangdian, Linqing and Liaocheng (``layers/*.gpkg``).

The plans are built from the published figures of the plan documents by ``layers/build.py``
(see ``layers/README.md``): every published figure holds exactly in the layers, while the geometry
is illustrative — no official boundaries of these zones are published as GIS data.

The GeoPackages are looked up in ``$ZONEPLAN_LAYERS`` when that variable is set, else in the
package data ``zoneplan/_layers/`` of an installed wheel (``setup.py`` copies ``layers/`` there at
build time), else in the ``layers/`` directory next to the ``zoneplan`` package (a checkout or an
editable install).

Examples
--------
>>> from zoneplan import datasets
>>> datasets.available()
['liaocheng', 'linqing', 'zhangdian']
>>> datasets.get_path("zhangdian").name
'zhangdian.gpkg'
>>> plan = datasets.load("linqing")
>>> sorted(plan["districts"]["district_id"])
['linqing-city', 'linqing-yandian']
"""

from __future__ import annotations

from pathlib import Path

from zoneplan.errors import InputError
from zoneplan.plan import Plan
from zoneplan.settings import settings

__all__ = ["LAYERS_ENV", "available", "get_path", "layers_dir", "load"]

#: Environment variable naming a directory that holds the sample GeoPackages.
LAYERS_ENV = "ZONEPLAN_LAYERS"
_NAMES = ("liaocheng", "linqing", "zhangdian")


def layers_dir() -> Path:
    """The directory the sample plans are read from.

    ``settings.layers_dir`` (``$ZONEPLAN_LAYERS``) when set, else ``zoneplan/_layers`` in an
    installed wheel, else the checkout's ``layers/``.

    Examples
    --------
    >>> (layers_dir() / "linqing.gpkg").is_file()
    True
    """
    if settings.layers_dir:
        return Path(settings.layers_dir)
    package = Path(__file__).resolve().parent
    bundled = package / "_layers"
    return bundled if bundled.is_dir() else package.parent / "layers"


def available() -> list[str]:
    """Names of the bundled plans whose GeoPackage is present, sorted.

    Examples
    --------
    >>> "linqing" in available()
    True
    """
    root = layers_dir()
    return [name for name in _NAMES if (root / f"{name}.gpkg").is_file()]


def get_path(name: str) -> Path:
    """Path of the GeoPackage of the bundled plan ``name``.

    Parameters
    ----------
    name
        ``"zhangdian"``, ``"linqing"`` or ``"liaocheng"``.

    Returns
    -------
    pathlib.Path
        ``<layers>/<name>.gpkg``.

    Raises
    ------
    InputError
        ``name`` is not a bundled plan (the message lists the available ones), or its file is missing.

    Examples
    --------
    >>> get_path("linqing").name
    'linqing.gpkg'
    """
    key = str(name).strip().lower()
    path = layers_dir() / f"{key}.gpkg"
    if key not in _NAMES:
        raise InputError(f"no bundled plan named {name!r}; available: {', '.join(available())}", rule="dataset")
    if not path.is_file():
        raise InputError(f"the bundled plan {key!r} is missing; build it with `make layers` (a checkout) or reinstall zoneplan", file=path, rule="dataset")
    return path


def load(name: str) -> Plan:
    """Read the bundled plan ``name`` (see :func:`get_path`).

    Examples
    --------
    >>> plan = load("zhangdian")
    >>> sorted(plan.phases["target_area_mu"].astype(int))
    [1022, 1400, 1872]
    """
    return Plan.read(get_path(name))
