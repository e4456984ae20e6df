"""Reading and writing plans and importing data.

* :mod:`zoneplan.io.gpkg` — one GeoPackage per plan (the embedded default), atomic writes,
  QGIS styles.
* :mod:`zoneplan.io.vector` — import of GeoPackage, Shapefile (GBK or UTF-8), GeoJSON, FlatGeobuf
  and DXF files into plan layers.

:func:`read_plan` and :func:`write_plan` dispatch on the location: a ``postgresql://`` URI goes to
the PostGIS backend where installed, anything else is a GeoPackage path.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoneplan.plan import Plan

__all__ = ["is_database_uri", "locked", "read_plan", "write_plan"]


def is_database_uri(location: str | Path) -> bool:
    """True when ``location`` names a PostgreSQL database rather than a file.

    Examples
    --------
    >>> is_database_uri("postgresql://planner@db/edz#linqing"), is_database_uri("layers/linqing.gpkg")
    (True, False)
    """
    return str(location).startswith(("postgresql://", "postgres://"))


@contextlib.contextmanager
def locked(location: str | Path, *, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the write lock of a plan file across a read-modify-write (:func:`zoneplan.io._lock.plan_lock`).

    A database plan needs none: its write is one transaction.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from zoneplan import datasets
    >>> path = Path(tempfile.mkdtemp()) / "plan.gpkg"
    >>> with locked(path):  # no other zoneplan process writes the plan in between
    ...     datasets.load("zhangdian").write(path)
    >>> len(read_plan(path).parcels)
    369
    """
    if is_database_uri(location):
        yield
        return
    from zoneplan.io._lock import plan_lock

    with plan_lock(Path(location), on_wait=on_wait):
        yield


def read_plan(location: str | Path) -> Plan:
    """Read a plan from a GeoPackage path or a ``postgresql://…#plan`` URI.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = read_plan(datasets.get_path("linqing"))
    >>> plan.name, list(plan.layers), len(plan.parcels)
    ('linqing', ['zones', 'districts', 'parks', 'parcels', 'control_lines', 'admin_boundaries'], 1087)
    """
    if is_database_uri(location):
        from zoneplan.io import postgis

        return postgis.read_plan(str(location))
    from zoneplan.io import gpkg

    return gpkg.read_plan(Path(location))


def write_plan(plan: Plan, location: str | Path) -> None:
    """Write a plan to a GeoPackage path (atomically) or a ``postgresql://…#plan`` URI.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from zoneplan import datasets
    >>> plan = datasets.load("zhangdian")
    >>> path = Path(tempfile.mkdtemp()) / "zhangdian-copy.gpkg"
    >>> write_plan(plan.with_meta(title="张店 copy"), path)
    >>> read_plan(path).meta["title"], len(read_plan(path).phases)
    ('张店 copy', 3)
    """
    if is_database_uri(location):
        from zoneplan.io import postgis

        postgis.write_plan(plan, str(location))
        return
    from zoneplan.io import gpkg

    gpkg.write_plan(plan, Path(location))
