"""A damaged GeoPackage is refused, never read in part nor replaced.

SQLite reads a file with overwritten pages up to the first bad page and GDAL then hands back the
features it got: 37 of 1087 parcels, with no error. :func:`check_geopackage` runs before a plan
is read and before a plan file is replaced; it checks

* the SQLite header (a GeoPackage is an SQLite 3 file);
* ``PRAGMA quick_check`` (every page of every table and index readable and well formed);
* each layer's row count against the feature count GDAL keeps in ``gpkg_ogr_contents``;

and returns the row count of every layer and table so the reader can check it got them all.
Each refusal is an :class:`~zoneplan.errors.InputError` naming the file, the layer and the rule
``gpkg-integrity`` (exit status 2 on the command line).

Examples
--------
>>> from zoneplan import datasets
>>> check_geopackage(datasets.get_path("linqing"))["parcels"]
1087
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from zoneplan.errors import InputError

__all__ = ["check_geopackage"]

_SQLITE_HEADER = b"SQLite format 3\x00"
_RULE = "gpkg-integrity"
_ADVICE = "the file was not used; restore it from a backup"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _scans(con: sqlite3.Connection, table: str) -> bool:
    try:
        con.execute(f"SELECT COUNT(*) FROM {_quoted(table)}").fetchone()
    except sqlite3.DatabaseError:
        return False
    return True


def check_geopackage(path: str | Path) -> dict[str, int]:
    """Refuse a damaged GeoPackage; return ``{layer or table: row count}`` of an intact one.

    Parameters
    ----------
    path
        The GeoPackage.

    Raises
    ------
    InputError
        The file is not SQLite, fails ``PRAGMA quick_check``, or a layer holds another number of
        rows than ``gpkg_ogr_contents`` records.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        header = fh.read(len(_SQLITE_HEADER))
    if header != _SQLITE_HEADER:
        raise InputError("cannot open as a GeoPackage: the file does not start with an SQLite 3 header", file=path, rule=_RULE)
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InputError(f"cannot open the GeoPackage: {exc}", file=path, rule=_RULE) from None
    layer = None
    try:
        problems = [line for row in con.execute("PRAGMA quick_check(3)") for line in str(row[0]).splitlines() if not line.startswith("***")]
        names = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")]
        if problems != ["ok"]:
            damaged = [name for name in names if not _scans(con, name)]
            raise InputError(f"the GeoPackage is damaged ({'; '.join(problems)}); {_ADVICE}", file=path, layer=", ".join(damaged) or None, rule=_RULE)
        counts = {}
        for layer in names:
            counts[layer] = int(con.execute(f"SELECT COUNT(*) FROM {_quoted(layer)}").fetchone()[0])
        layer = None
        has_ogr = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gpkg_ogr_contents'").fetchone()
        recorded = dict(con.execute("SELECT table_name, feature_count FROM gpkg_ogr_contents").fetchall()) if has_ogr else {}
    except sqlite3.DatabaseError as exc:
        raise InputError(f"the GeoPackage is damaged ({exc}); {_ADVICE}", file=path, layer=layer, rule=_RULE) from None
    finally:
        con.close()
    for name, expected in recorded.items():
        if expected is not None and name in counts and counts[name] != int(expected):
            raise InputError(
                f"the GeoPackage is damaged: {counts[name]} rows where it records {int(expected)} features; {_ADVICE}",
                file=path,
                layer=name,
                rule=_RULE,
            )
    return counts
