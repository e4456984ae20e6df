"""What ``zoneplan info`` prints, from a plan or straight from its GeoPackage (the fast path).

``zoneplan info PLAN`` shows per layer the feature count and the total area on both bases, the
plan's CRS, its metadata and its tables (:func:`plan_info`). Computing that from a
:class:`~zoneplan.plan.Plan` needs geopandas, pandas and pyproj, whose import alone takes longer
than the command may (``make bench``: start-up ≤ 0.5 s). So every plan GeoPackage written by
:func:`zoneplan.io.gpkg.write_plan` carries the figures that need geometry, computed by
:func:`plan_info` when it is saved, in the one-row table ``zoneplan_summary``:

==================  ==========================================================================
column              what it holds
==================  ==========================================================================
``format``          :data:`SUMMARY_FORMAT`; another value is not read
``fingerprint``     :func:`file_fingerprint` of the file as written (everything but this table)
``summary``         JSON: ``crs`` (as ``info`` shows it), ``layers`` (per layer the count and
                    areas of :func:`plan_info`), ``order`` (the layers and tables in the order
                    GDAL lists them), ``measure`` (:data:`AREA_METHOD` of the areas)
==================  ==========================================================================

:func:`read_info` answers from that table with nothing but :mod:`sqlite3`, and only when it
still describes the file: the fingerprint covers the list of tables and layers, their geometry
columns and CRSs, and every geometry of every layer, byte for byte, so an edit made in QGIS, by
GDAL or by hand in SQL since the save makes the summary stale, and a stale or missing summary is
never shown — the reader returns ``None`` and the caller reads the plan. Counts of attribute
tables and the metadata are read from the file itself every time, and the file passes
:func:`zoneplan.io._integrity.check_geopackage` first, so a damaged GeoPackage is refused on
the fast path as on the full read.

Examples
--------
>>> from zoneplan import datasets
>>> from zoneplan.plan import Plan
>>> path = datasets.get_path("zhangdian")
>>> fast = read_info(path)
>>> fast["layers"]["phases"]["count"], round(fast["layers"]["phases"]["area_mu"])
(3, 4294)
>>> fast == plan_info(Plan.read(path))
True
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zoneplan.io._integrity import check_geopackage

if TYPE_CHECKING:
    from zoneplan.plan import Plan

__all__ = ["AREA_METHOD", "SUMMARY_FORMAT", "SUMMARY_TABLE", "file_fingerprint", "plan_info", "read_info", "summary_record"]

SUMMARY_TABLE = "zoneplan_summary"
#: Version of the summary's layout; a summary of another version is ignored (full read).
SUMMARY_FORMAT = 1
#: Version of how :mod:`zoneplan.measure` computes areas. The stored areas are only as right as
#: the zoneplan that saved them: a file saved before a change to the area computation (e.g. the
#: closed-form ellipsoidal area, version 2) is read in full, so ``info`` prints what the full
#: read prints. Bump it with any change to measured areas.
AREA_METHOD = 2
#: Tables of a plan GeoPackage that are not plan tables (see :mod:`zoneplan.io.gpkg`).
_INTERNAL = ("zoneplan_meta", "layer_styles", SUMMARY_TABLE)
_FIGURES = ("area_m2", "area_mu", "area_ha", "area_km2", "ellipsoidal_area_m2", "ellipsoidal_area_mu")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _crs_label(crs: Any) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else str(crs.to_string())


def _layer_figures(plan: Plan) -> dict[str, dict[str, Any]]:
    from zoneplan.jsonable import to_jsonable

    summary = plan.summary()
    return to_jsonable({r.layer: {"count": r.count, **{k: getattr(r, k) for k in _FIGURES}} for r in summary.itertuples()})


def plan_info(plan: Plan) -> dict[str, Any]:
    """What ``zoneplan info`` shows of ``plan``, as plain JSON values.

    Returns
    -------
    dict
        ``crs`` (``"EPSG:<code>"`` or the CRS's text), ``area_basis``
        (:func:`zoneplan.measure.plan_area_basis`), ``meta``, ``layers`` (layer → ``count``,
        planar ``area_m2``, ``area_mu``, ``area_ha``, ``area_km2``, and ``ellipsoidal_area_m2``,
        ``ellipsoidal_area_mu``) and ``tables`` (table → rows).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> info = plan_info(datasets.load("linqing"))
    >>> info["crs"], info["area_basis"], info["tables"]
    ('EPSG:4548', 'planar', {'targets': 15, 'quotas': 5})
    >>> parcels = info["layers"]["parcels"]
    >>> parcels["count"], round(parcels["area_km2"], 2), parcels["ellipsoidal_area_mu"] < parcels["area_mu"]
    (1087, 43.22, True)
    """
    from zoneplan.measure import plan_area_basis

    return {
        "crs": _crs_label(plan.crs),
        "area_basis": plan_area_basis(plan),
        "meta": {str(k): str(v) for k, v in plan.meta.items()},
        "layers": _layer_figures(plan),
        "tables": {name: len(df) for name, df in plan.tables.items()},
    }


def _feed(digest: Any, *values: Any) -> None:
    text = repr(values).encode()
    digest.update(len(text).to_bytes(8, "little"))
    digest.update(text)


def _fingerprint(con: sqlite3.Connection) -> str:
    digest = hashlib.blake2b(digest_size=20)
    _feed(
        digest,
        "contents",
        con.execute("SELECT table_name, data_type, srs_id FROM gpkg_contents WHERE table_name <> ? ORDER BY rowid", (SUMMARY_TABLE,)).fetchall(),
    )
    columns = con.execute("SELECT table_name, column_name, geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns ORDER BY rowid").fetchall()
    _feed(digest, "geometry columns", columns)
    srs = con.execute("SELECT * FROM gpkg_spatial_ref_sys WHERE srs_id IN (SELECT srs_id FROM gpkg_geometry_columns) ORDER BY srs_id").fetchall()
    _feed(digest, "srs", srs)
    for table, column, *_ in columns:
        # every geometry, in the order a reader gets them (the areas are sums in that order)
        rows = con.execute(f"SELECT length({_quoted(column)}), {_quoted(column)} FROM {_quoted(table)} ORDER BY rowid").fetchall()
        _feed(digest, "layer", table, [length for length, _ in rows])
        digest.update(b"".join(blob for _, blob in rows if blob is not None))
    return digest.hexdigest()


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)


def file_fingerprint(path: str | Path) -> str:
    """A digest of everything in GeoPackage ``path`` that the summary's figures depend on.

    The tables and layers listed in ``gpkg_contents`` (in order), the geometry columns, the CRS
    definitions they use, and every geometry of every layer byte for byte, in row order; the
    ``zoneplan_summary`` table itself is left out.

    Examples
    --------
    >>> import shutil, sqlite3, tempfile
    >>> from pathlib import Path
    >>> from zoneplan import datasets
    >>> copy = Path(tempfile.mkdtemp()) / "zhangdian.gpkg"
    >>> _ = shutil.copy(datasets.get_path("zhangdian"), copy)
    >>> before = file_fingerprint(copy)
    >>> with sqlite3.connect(copy) as con:  # an edit by hand: one parcel removed
    ...     _ = con.execute("DELETE FROM parcels WHERE fid = (SELECT max(fid) FROM parcels)")
    >>> file_fingerprint(copy) == before
    False
    """
    con = _connect(Path(path))
    try:
        return _fingerprint(con)
    finally:
        con.close()


def summary_record(plan: Plan, path: str | Path, order: Sequence[str]) -> dict[str, Any]:
    """The row of ``zoneplan_summary`` for ``plan``, just written to ``path`` (its layers and tables).

    Parameters
    ----------
    plan
        The plan written.
    path
        The GeoPackage it was written to, complete but for the summary.
    order
        The layers and tables of ``path`` in the order GDAL lists them (``pyogrio.list_layers``).

    Examples
    --------
    >>> import json
    >>> from zoneplan import datasets
    >>> path = datasets.get_path("zhangdian")
    >>> record = summary_record(datasets.load("zhangdian"), path, ["zones", "phases", "parcels", "named_roads", "targets"])
    >>> record["format"], record["fingerprint"] == file_fingerprint(path)
    (1, True)
    >>> json.loads(record["summary"])["layers"]["parcels"]["count"]
    369
    """
    summary = {"crs": _crs_label(plan.crs), "layers": _layer_figures(plan), "order": list(order), "measure": AREA_METHOD}
    return {"format": SUMMARY_FORMAT, "fingerprint": file_fingerprint(path), "summary": json.dumps(summary, ensure_ascii=False, allow_nan=False)}


def read_info(path: str | Path) -> dict[str, Any] | None:
    """:func:`plan_info` of the plan GeoPackage ``path`` read from its summary, or ``None`` to read the plan.

    ``None`` when the file has no summary, a summary of another format or area method, or one that no longer
    describes it (its fingerprint differs: the file was changed after it was saved), when the
    plan's CRS has no EPSG code, or when a value cannot be read without the full reader.

    Raises
    ------
    InputError
        The file is damaged (:func:`~zoneplan.io._integrity.check_geopackage`); it is refused
        here as by the full read.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> info = read_info(datasets.get_path("liaocheng"))
    >>> info["meta"]["name"], list(info["layers"]), info["tables"]
    ('liaocheng', ['zones', 'remaining_land', 'admin_boundaries'], {'province_stats': 2})
    """
    path = Path(path)
    if not path.is_file() or path.suffix.lower() != ".gpkg":
        return None
    counts = check_geopackage(path)
    if SUMMARY_TABLE not in counts:
        return None
    try:
        con = _connect(path)
    except sqlite3.Error:
        return None
    try:
        return _from_summary(con, counts)
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        return None  # not a summary this reader understands: the full read decides
    finally:
        con.close()


def _from_summary(con: sqlite3.Connection, counts: dict[str, int]) -> dict[str, Any] | None:
    from zoneplan.settings import area_basis_of

    rows = con.execute(f"SELECT format, fingerprint, summary FROM {SUMMARY_TABLE}").fetchall()
    if len(rows) != 1 or rows[0][0] != SUMMARY_FORMAT:
        return None
    _, fingerprint, text = rows[0]
    stored = json.loads(text)
    if stored.get("measure") != AREA_METHOD:
        return None  # areas measured by another version of zoneplan.measure: the full read measures them now
    if fingerprint != _fingerprint(con):
        return None  # stale: the file changed after the summary was written
    contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
    layers = [name for name in stored["order"] if contents.get(name) == "features"]
    tables = [name for name in stored["order"] if contents.get(name) == "attributes" and name not in _INTERNAL]
    if list(stored["layers"]) != layers or {*layers, *tables} != {
        n for n, kind in contents.items() if n not in _INTERNAL and kind in ("features", "attributes")
    }:
        return None
    srs = {
        f"{org}:{code}".upper()
        for org, code in con.execute(
            "SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id IN (SELECT srs_id FROM gpkg_geometry_columns)"
        )
    }
    if srs != {stored["crs"]}:
        return None  # a CRS without an EPSG code is shown as pyproj writes it: the full read does that
    meta: dict[str, str] = {}
    if "zoneplan_meta" in contents:
        pairs = con.execute("SELECT key, value FROM zoneplan_meta ORDER BY rowid").fetchall()
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in pairs):
            return None
        meta = dict(pairs)
    return {
        "crs": stored["crs"],
        "area_basis": area_basis_of(meta),
        "meta": meta,
        "layers": stored["layers"],
        "tables": {name: counts[name] for name in tables},
    }
