"""One GeoPackage per plan: layers, tables, metadata and QGIS styles.

Layout of a plan GeoPackage

* one spatial layer per plan layer (``zones``, ``parcels``, …), geometry column ``geom``;
  per-layer metadata (source, "illustrative geometry" …) as GDAL layer metadata;
* one attribute table per plan table (``targets``, ``quotas``, …);
* ``zoneplan_meta`` — plan-level key/value metadata;
* ``layer_styles`` — QGIS styles (:func:`zoneplan.io.qgis_style.plan_styles`), so every layer
  opens styled in QGIS: parcels by land use, boundaries, phases by schedule, control lines by
  kind. Styles a user saved into the file are kept by every write; only zoneplan's rows are
  replaced;
* ``zoneplan_summary`` — per layer the count and areas that ``zoneplan info`` shows, with a
  fingerprint of the file, rewritten by every write (:mod:`zoneplan.io._summary`: ``info``
  answers from it without geopandas while it still matches the file).

Writes are atomic: everything is written to a temporary file in the same directory, flushed to
disk, then moved over the target with :func:`os.replace`. A write that fails or is killed half-way
leaves the previous file untouched. A damaged file is refused before it is read or replaced
(:mod:`zoneplan.io._integrity`), and every write holds the plan's lock (:mod:`zoneplan.io._lock`).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from zoneplan.errors import InputError, ZoneplanError
from zoneplan.io._integrity import check_geopackage
from zoneplan.io._lock import plan_lock
from zoneplan.io._read import read_layer
from zoneplan.io._summary import SUMMARY_TABLE, summary_record
from zoneplan.layers import LAYERS
from zoneplan.plan import Plan

__all__ = ["GPKG_OPTIONS", "META_TABLE", "STYLE_TABLE", "atomic_path", "read_plan", "write_plan"]

META_TABLE = "zoneplan_meta"
STYLE_TABLE = "layer_styles"
#: GDAL dataset options of every GeoPackage zoneplan writes: version 1.2, the oldest with every
#: feature a plan uses (metadata and R-tree extensions), which GDAL 3.6 / QGIS 3.22 open without
#: the "only partially supported" warning they give GDAL 3.12's default 1.4.
GPKG_OPTIONS: dict[str, str] = {"VERSION": "1.2"}
_INTERNAL = {META_TABLE, STYLE_TABLE, SUMMARY_TABLE}
_FULL_BELOW = 1 << 20  # bytes free below which a failed write is put down to a full disk


def read_plan(path: Path) -> Plan:
    """Read a plan GeoPackage written by :func:`write_plan` (or any GeoPackage of polygon layers).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = read_plan(datasets.get_path("zhangdian"))
    >>> list(plan.tables), plan.layer_meta["phases"]["geometry"]
    (['targets'], 'illustrative geometry — no official boundary published')
    """
    path = Path(path)
    if not path.exists():
        raise InputError("plan file not found", file=path)
    counts = check_geopackage(path)
    try:
        listing = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio raises DataSourceError with GDAL's text
        raise InputError(f"cannot open as a GeoPackage: {exc}", file=path) from None
    layers: dict[str, gpd.GeoDataFrame] = {}
    tables: dict[str, pd.DataFrame] = {}
    layer_meta: dict[str, dict[str, str]] = {}
    meta: dict[str, str] = {}
    for name, geometry_type in listing:
        if geometry_type is None:
            df = pyogrio.read_dataframe(path, layer=name, use_arrow=True, read_geometry=False)
            if name == META_TABLE:
                meta = dict(zip(df["key"].astype(str), df["value"].astype(str)))
            elif name not in _INTERNAL:
                tables[name] = pd.DataFrame(df)
            continue
        layers[name], curves = read_layer(path, name)
        info = pyogrio.read_info(path, layer=name)
        if info.get("layer_metadata") or curves:
            layer_meta[name] = dict(info.get("layer_metadata") or {}) | ({"curves": curves} if curves else {})
    for name, df in {**layers, **tables}.items():
        if name in counts and len(df) != counts[name]:
            raise InputError(f"read {len(df)} of its {counts[name]} features; the plan was not used", file=path, layer=name, rule="gpkg-integrity")
    return Plan(layers, tables, meta=meta, layer_meta=layer_meta)


@contextlib.contextmanager
def atomic_path(target: Path, *, suffix: str | None = None):
    """Yield a temporary path beside ``target``; on success it replaces ``target`` atomically.

    On any exception (or if the process dies) ``target`` is left as it was and the temporary file
    is removed (a killed process may leave a hidden ``.<name>.*.tmp`` file, never a broken target).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> target = Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = target.write_text("kept")
    >>> try:
    ...     with atomic_path(target) as tmp:
    ...         _ = tmp.write_text("half-written")
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())  # the target as it was, no temporary file left
    ('kept', ['notes.txt'])
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or f".tmp{target.suffix}", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # GDAL refuses to create a GeoPackage over an empty file
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except ZoneplanError:
        raise
    except (OSError, RuntimeError, sqlite3.Error) as exc:  # GDAL reports a full disk as a failed commit
        raise InputError(_write_failure(target, exc), file=target, rule="write") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _write_failure(target: Path, exc: BaseException) -> str:
    free = shutil.disk_usage(target.parent).free
    full = getattr(exc, "errno", None) == errno.ENOSPC or free < _FULL_BELOW
    reason = f"the disk is full ({free / 1024:,.0f} KiB free in {target.parent})" if full else " ".join(str(exc).split())
    kept = "the previous file is unchanged" if target.exists() else "nothing was written"
    return f"could not write: {reason}; {kept}"


def _with_dates(gdf: gpd.GeoDataFrame, name: str) -> tuple[gpd.GeoDataFrame, bool]:
    """The layer with its contract date columns (``*_date``) as dates, when every value is an ISO date.

    They are stored as GeoPackage ``DATE`` fields (QGIS shows a date editor) and read back as
    the same ``YYYY-MM-DD`` text; a column holding anything else stays text, unchanged.
    """
    spec = LAYERS.get(name)
    dates = {}
    for column in (c for c in (spec.dtypes if spec else {}) if c.endswith("_date") and c in gdf.columns):
        text = gdf[column].astype("string")
        given = text.notna()
        parsed = pd.to_datetime(text.where(text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False)), format="%Y-%m-%d", errors="coerce")
        if given.any() and (parsed.notna() == given).all():
            dates[column] = parsed.astype("date32[pyarrow]")
    return (gdf.assign(**dates), True) if dates else (gdf, False)


def _write_table(path: Path, name: str, df: pd.DataFrame) -> None:
    df = pd.DataFrame(df).reset_index(drop=True)
    # GeoPackage attribute tables cannot hold nested objects: store them as JSON text.
    for col in df.columns:
        if df[col].dtype == object and df[col].map(lambda v: isinstance(v, (dict, list))).any():
            df[col] = df[col].map(lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v)
    pyogrio.write_dataframe(df, path, layer=name, driver="GPKG", dataset_options=GPKG_OPTIONS)


def write_plan(plan: Plan, path: Path) -> None:
    """Write ``plan`` to the GeoPackage ``path`` atomically (see module docstring).

    Examples
    --------
    >>> import sqlite3, tempfile
    >>> from pathlib import Path
    >>> from zoneplan import datasets
    >>> path = Path(tempfile.mkdtemp()) / "zhangdian.gpkg"
    >>> write_plan(datasets.load("zhangdian"), path)
    >>> with sqlite3.connect(path) as con:
    ...     tables = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents ORDER BY rowid")]
    >>> tables
    ['zones', 'phases', 'parcels', 'named_roads', 'admin_boundaries', 'targets', 'zoneplan_meta', 'layer_styles', 'zoneplan_summary']
    """
    from zoneplan.io.qgis_style import plan_styles, style_rows, user_styles

    path = Path(path)
    with plan_lock(path), atomic_path(path) as tmp:
        if path.exists():
            check_geopackage(path)  # a damaged plan is kept for recovery, never replaced
        for name, gdf in plan.layers.items():
            frame, dated = _with_dates(gdf.reset_index(drop=True), name)
            pyogrio.write_dataframe(
                frame,
                tmp,
                layer=name,
                driver="GPKG",
                promote_to_multi=False,
                dataset_options=GPKG_OPTIONS,
                layer_metadata=plan.layer_meta.get(name) or None,
                use_arrow=dated,  # only GDAL's Arrow path writes DATE fields
            )
        for name, df in plan.tables.items():
            _write_table(tmp, name, df)
        meta = pd.DataFrame({"key": list(plan.meta), "value": [str(v) for v in plan.meta.values()]}, dtype="string")
        _write_table(tmp, META_TABLE, meta)
        # a default QGIS style per layer; the user's own styles in the file are kept
        _write_table(tmp, STYLE_TABLE, style_rows(plan_styles(plan.layers), keep=user_styles(path)))
        # last: its fingerprint covers everything written before it
        order = [name for name, _ in pyogrio.list_layers(tmp)]
        _write_table(
            tmp, SUMMARY_TABLE, pd.DataFrame([summary_record(plan, tmp, order)]).astype({"format": "int64", "fingerprint": "string", "summary": "string"})
        )
        _check_readable(tmp)


def _check_readable(path: Path) -> None:
    with sqlite3.connect(path) as con:
        (status,) = con.execute("PRAGMA integrity_check").fetchone()
    if status != "ok":
        raise InputError(f"GeoPackage failed its integrity check after writing: {status}", file=path)
