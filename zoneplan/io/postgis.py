"""Plans in a shared PostgreSQL + PostGIS database: one schema per plan, transactional, versioned rows.

A bureau keeps its plans in one database that many people read and edit. This backend gives the
same plan API as a GeoPackage (:func:`zoneplan.io.read_plan` / :func:`zoneplan.io.write_plan`
and :meth:`Plan.read` / :meth:`Plan.write` dispatch ``postgresql://`` locations here), plus
feature edits that detect concurrent changes.

Location
--------
``postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE#PLAN`` — the plan name is the URI fragment.
``…/DATABASE?plan=PLAN`` is accepted too (other query parameters, e.g. ``sslmode``, are passed to
libpq). A plan name is 1–63 bytes of letters (Chinese included), digits, ``_`` and ``-``, not
starting with a digit or ``-``, and not a system schema (``public``, ``pg_*``,
``information_schema``, ``topology``, ``tiger``); anything else — a quote, a semicolon, a space —
is refused with :class:`~zoneplan.errors.InputError` before any SQL is sent. Every identifier
(schema, table, column) is additionally quoted with :class:`psycopg.sql.Identifier`, so no name can
change the meaning of a statement.

Layout of a plan's schema
-------------------------
* one table per layer: ``zp_fid`` (row order, an identity primary key: a client adding a feature
  leaves it out), ``zp_version`` (row version, starts at 1), ``zp_updated_at``, ``zp_updated_by``
  (time and database user of the last change), the layer's columns with their types (text,
  bigint, double precision, boolean, timestamp), and the geometry as ``geom``, typed — polygon
  layers ``geometry(MultiPolygon, SRID)`` (polygons written as one-part multipolygons read back
  as polygons), other layers their one type — with a GiST index; the layer contract's id
  (``parcel_id`` …) is ``NOT NULL UNIQUE``; tables and columns carry comments in Chinese and
  English with units (``data/layer_columns.csv``);
* one table per plan table (``targets``, ``quotas`` …), without geometry;
* ``zoneplan_state`` — the plan's revision, SRID and CRS; ``zoneplan_meta`` — plan metadata;
  ``zoneplan_objects`` / ``zoneplan_columns`` — layer and table order, layer metadata, geometry
  column and type, and the pandas dtype of every column, so a plan reads back exactly as written;
* ``zoneplan_history`` — every change (全过程留痕), see below; kept across whole-plan writes;
* QGIS styles in ``public.layer_styles`` (where QGIS looks for a PostGIS layer's default style),
  one per layer (:func:`zoneplan.io.qgis_style.plan_styles`); a write replaces only zoneplan's
  rows, and a user's default style stays the default.

Any client may edit
-------------------
Triggers on every layer and table keep the bookkeeping whoever edits — zoneplan, QGIS, psql,
ogr2ogr: each INSERT, UPDATE and DELETE stamps ``zp_version`` (+1), ``zp_updated_at`` and
``zp_updated_by`` (``current_user``) whatever the client wrote into them, gives the transaction
the next plan revision (one per transaction, however many rows), and logs the change in
``zoneplan_history``: revision, time, user, ``application_name``, layer, ``zp_fid``, contract id,
operation, old and new values (jsonb) and geometries. :func:`history` reads the log,
:func:`read_revision` rebuilds the plan at any revision, :func:`grant` lets a role edit.

Writes and concurrency
----------------------
* :func:`write_plan` replaces the plan's tables in **one transaction** (PostgreSQL DDL is
  transactional): readers see the old plan until the commit, and a failure leaves it untouched.
  The history logs only what the write changed (per contract id; else per ``zp_fid``).
  A plan read from the database remembers its revision in ``plan.meta["postgis_revision"]``
  (``"<plan>:<revision>"``); writing it back after someone else changed the plan raises
  :class:`ConflictError` instead of silently overwriting their work.
* :func:`update_features` changes features in place with **optimistic locking**: each edited row
  names the version it was read at (``zp_version`` from :func:`read_layer` with
  ``versions=True``); if any row has been changed since — by any client, even in a transaction
  running at the same moment — nothing is written and :class:`ConflictError` lists the features, the expected
  and the current version and who changed them.

Examples
--------
On a bureau's server (the tests run the same calls against a throw-away local server)::

    from zoneplan.io import postgis
    uri = "postgresql://planner@db.bureau/plans#linqing"
    postgis.write_plan(plan, uri)
    parcels = postgis.read_layer(uri, "parcels", versions=True)
    edit = parcels.loc[parcels.parcel_id == "P1", ["parcel_id", "zp_version", "status"]].assign(status="built")
    postgis.update_features(uri, "parcels", edit)   # ConflictError if someone changed P1 meanwhile

"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import json
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from zoneplan._names import check_name
from zoneplan.errors import InputError, PlanError, ZoneplanError
from zoneplan.layers import LAYERS
from zoneplan.plan import Plan

try:  # the ``postgis`` extra
    import psycopg
    from psycopg import sql
except ImportError:  # pragma: no cover - exercised only without the extra
    psycopg = None  # type: ignore[assignment]
    sql = None  # type: ignore[assignment]

__all__ = [
    "HISTORY_COLUMNS",
    "REVISION_META_KEY",
    "SYSTEM_COLUMNS",
    "ConflictError",
    "PlanLocation",
    "connect",
    "drop_plan",
    "grant",
    "history",
    "list_plans",
    "parse_uri",
    "plan_revision",
    "read_layer",
    "read_plan",
    "read_revision",
    "update_features",
    "validate_name",
    "write_plan",
]

#: ``plan.meta`` key holding ``"<plan>:<revision>"`` of a plan read from the database.
REVISION_META_KEY = "postgis_revision"
#: Columns the backend adds to every layer table (user columns may not use these names).
SYSTEM_COLUMNS = ("zp_fid", "zp_version", "zp_updated_at", "zp_updated_by")
_GEOM = "geom"
_TYPE_NAMES = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}
_STATE, _META, _OBJECTS, _COLUMNS = "zoneplan_state", "zoneplan_meta", "zoneplan_objects", "zoneplan_columns"
_HISTORY = "zoneplan_history"
_INTERNAL = (_STATE, _META, _OBJECTS, _COLUMNS, _HISTORY)
_HISTORY_COMMENT = (
    "全过程留痕：每次新增、修改、删除要素的记录（修改人、时间、图层、要素、修改前后的值、规划版本） / "
    "every change of every feature from any client: who, when, layer, feature, old and new values (jsonb; geometry in old_geom/new_geom, metres), plan revision"
)
# Two trigger functions per plan schema. ``zp_stamp`` (BEFORE each row) gives a plan revision to the
# transaction — the first change of a transaction increments ``zoneplan_state.revision`` — and
# stamps the row's version, time and database user, whatever the client wrote into them.
# ``zp_record`` (AFTER each row) writes the change to ``zoneplan_history``. ``zp_lock`` (BEFORE
# each statement) takes the plan's state row first, so concurrent editors queue on it before
# they hold any feature's row lock (no deadlocks). Trigger arguments: the layer's id column
# ('' for none) and whether the table is a versioned layer with geometry.
_TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION {schema}.zp_lock() RETURNS trigger LANGUAGE plpgsql AS $zp$
BEGIN
  PERFORM 1 FROM {state} FOR UPDATE;
  RETURN NULL;
END $zp$;
CREATE OR REPLACE FUNCTION {schema}.zp_stamp() RETURNS trigger LANGUAGE plpgsql AS $zp$
BEGIN
  UPDATE {state} SET revision = revision + 1, updated_at = now(), updated_by = current_user, xact = txid_current()
   WHERE xact IS DISTINCT FROM txid_current();
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  IF TG_ARGV[1]::boolean THEN
    NEW.zp_version := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE OLD.zp_version + 1 END;
    NEW.zp_updated_at := now();
    NEW.zp_updated_by := current_user;
  END IF;
  RETURN NEW;
END $zp$;
CREATE OR REPLACE FUNCTION {schema}.zp_record() RETURNS trigger LANGUAGE plpgsql AS $zp$
DECLARE
  rev bigint;
  o jsonb;
  n jsonb;
  og geometry;
  ng geometry;
BEGIN
  SELECT revision INTO rev FROM {state};
  -- the geometry goes to its own column, never through jsonb (a GeoJSON conversion per row)
  IF TG_OP <> 'INSERT' THEN
    IF TG_ARGV[1]::boolean THEN og := OLD.geom; OLD.geom := NULL; END IF;
    o := to_jsonb(OLD);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF TG_ARGV[1]::boolean THEN ng := NEW.geom; NEW.geom := NULL; END IF;
    n := to_jsonb(NEW);
  END IF;
  INSERT INTO {history} (revision, layer, zp_fid, feature_id, op, old_values, new_values, old_geom, new_geom)
  VALUES (rev, TG_TABLE_NAME, (coalesce(n, o) ->> 'zp_fid')::bigint, coalesce(n, o) ->> TG_ARGV[0], TG_OP,
          o - {system}::text[], n - {system}::text[], og, ng);
  RETURN NULL;
END $zp$;
"""
_NAME_RE = re.compile(r"[^\W\d-][\w-]*")  # used with fullmatch: "$" would let a trailing newline through
_RESERVED_SCHEMAS = {"public", "information_schema", "topology", "tiger", "tiger_data"}


class ConflictError(ZoneplanError):
    """Another user changed the plan or the features since they were read; nothing was written.

    Attributes
    ----------
    conflicts
        One row per conflicting feature: ``feature_id``, ``expected_version``,
        ``current_version`` (NA when the feature no longer exists), ``updated_by``, ``updated_at``.
        Empty for a whole-plan conflict.

    Examples
    --------
    >>> error = ConflictError("the plan was changed since it was read; nothing was written", file=parse_uri("postgresql://me@db/plans#linqing"), rule="plan-version")
    >>> print(error)
    the plan was changed since it was read; nothing was written (file postgresql://me@db/plans#linqing, rule plan-version)
    >>> list(error.conflicts.columns), len(error.conflicts)  # a whole-plan conflict names no feature (update_features shows one that does)
    (['feature_id', 'expected_version', 'current_version', 'updated_by', 'updated_at'], 0)
    """

    def __init__(self, message: str, *, conflicts: pd.DataFrame | None = None, **where: Any) -> None:
        self.conflicts = (
            conflicts if conflicts is not None else pd.DataFrame(columns=["feature_id", "expected_version", "current_version", "updated_by", "updated_at"])
        )
        super().__init__(message, **where)


@dataclass(frozen=True)
class PlanLocation:
    """A parsed ``postgresql://…#plan`` location.

    Attributes
    ----------
    conninfo
        The URI without the plan name, for libpq.
    plan
        The validated plan (schema) name.

    Examples
    --------
    >>> location = parse_uri("postgresql://planner:secret@db.bureau:5432/plans#linqing")
    >>> location.plan, location.conninfo
    ('linqing', 'postgresql://planner:secret@db.bureau:5432/plans')
    >>> print(location)  # for messages: the password hidden
    postgresql://planner:***@db.bureau:5432/plans#linqing
    """

    conninfo: str
    plan: str

    def __str__(self) -> str:
        """The location with any password hidden (for messages)."""
        parts = urlsplit(self.conninfo)
        netloc = parts.netloc
        if "@" in netloc and ":" in netloc.split("@", 1)[0]:
            user = netloc.split("@", 1)[0].split(":", 1)[0]
            netloc = f"{user}:***@{netloc.split('@', 1)[1]}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, self.plan))


def _require_psycopg() -> None:
    if psycopg is None:  # pragma: no cover
        raise InputError("the PostGIS backend needs psycopg: pip install 'zoneplan[postgis]'")


def validate_name(name: str, *, what: str = "plan name", location: object | None = None) -> str:
    """Return ``name`` if it is a safe schema/table name, else raise :class:`InputError`.

    Parameters
    ----------
    name
        A plan (schema) or layer/table name.
    what
        What the name is, for the message.
    location
        Where the name comes from, for the message.

    Examples
    --------
    >>> validate_name("linqing")
    'linqing'
    >>> validate_name('x"; DROP SCHEMA public CASCADE; --')
    Traceback (most recent call last):
    ...
    zoneplan.errors.InputError: invalid plan name 'x"; DROP SCHEMA public CASCADE; --': use letters, digits, _ and - (at most 63 bytes, not starting with a digit or -) (rule identifier)
    """
    check_name(name, what=what, file=location)
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name) or len(name.encode()) > 63:
        raise InputError(
            f"invalid {what} {name!r}: use letters, digits, _ and - (at most 63 bytes, not starting with a digit or -)",
            file=location,
            rule="identifier",
        )
    lowered = name.lower()
    if what == "plan name" and (lowered in _RESERVED_SCHEMAS or lowered.startswith("pg_")):
        raise InputError(f"invalid {what} {name!r}: a system schema name", file=location, rule="identifier")
    if what != "plan name" and lowered in _INTERNAL:
        raise InputError(f"invalid {what} {name!r}: reserved for zoneplan's own tables", file=location, layer=name, rule="identifier")
    return name


def _validate_column(name: object, *, layer: str, location: PlanLocation) -> str:
    text = str(name)
    if not text or "\x00" in text or len(text.encode()) > 63:
        raise InputError(f"column name {text!r} cannot be stored in PostgreSQL (1–63 bytes, no NUL)", file=location, layer=layer, rule="identifier")
    if text.lower() in SYSTEM_COLUMNS or text.lower() == _GEOM:
        raise InputError(f"column name {text!r} is reserved by the PostGIS backend", file=location, layer=layer, rule="identifier")
    return text


def parse_uri(uri: str) -> PlanLocation:
    """Split a ``postgresql://…#plan`` (or ``…?plan=plan``) URI into libpq conninfo and plan name.

    Examples
    --------
    >>> loc = parse_uri("postgresql://me@localhost:5432/plans?sslmode=disable#zhangdian")
    >>> loc.plan, loc.conninfo
    ('zhangdian', 'postgresql://me@localhost:5432/plans?sslmode=disable')
    >>> parse_uri("postgresql://me@localhost/plans?plan=linqing").plan
    'linqing'
    """
    parts = urlsplit(str(uri))
    if parts.scheme not in ("postgresql", "postgres"):
        raise InputError("not a postgresql:// URI", file=uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    plans = [v for k, v in query if k == "plan"]
    rest = [(k, v) for k, v in query if k != "plan"]
    plan = parts.fragment or (plans[0] if plans else "")
    conninfo = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(rest), ""))
    if not plan:
        raise InputError("the URI names no plan: add #PLAN (or ?plan=PLAN)", file=urlunsplit((parts.scheme, parts.netloc.split("@")[-1], parts.path, "", "")))
    return PlanLocation(conninfo, validate_name(plan, location=conninfo))


def connect(location: str | PlanLocation, **kwargs: Any) -> psycopg.Connection:
    """Open a psycopg connection to the database of ``location`` (errors become :class:`InputError`).

    Examples
    --------
    >>> with connect(f"{database}#any_plan") as con:  # database: e.g. "postgresql://planner@db.bureau/plans"
    ...     print(con.execute("SELECT postgis_lib_version() IS NOT NULL").fetchone()[0])
    True
    >>> connect("postgresql://nobody@127.0.0.1:1/none#p")
    Traceback (most recent call last):
    ...
    zoneplan.errors.InputError: cannot connect to the database: ...
    """
    _require_psycopg()
    loc = location if isinstance(location, PlanLocation) else parse_uri(location)
    try:
        return psycopg.connect(loc.conninfo, **kwargs)
    except psycopg.OperationalError as exc:
        raise InputError(f"cannot connect to the database: {str(exc).strip().splitlines()[0]}", file=loc) from None


def _ident(*names: str) -> sql.Identifier:
    return sql.Identifier(*names)


def _schema_exists(cur: psycopg.Cursor, plan: str) -> bool:
    cur.execute("SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s", (plan, _STATE))
    return cur.fetchone() is not None


def _one_row(cur: psycopg.Cursor, plan: str) -> tuple[Any, ...]:
    """The row of a query that always returns one (an aggregate, the plan's one-row state table).

    None there means the plan's schema was changed by hand (its state row deleted): refused.
    """
    row = cur.fetchone()
    if row is None:
        raise PlanError(f"the schema of plan {plan!r} is damaged: a query of its bookkeeping returned no row", rule="postgis-schema")
    return row


def _current_revision(cur: psycopg.Cursor, plan: str) -> int | None:
    if not _schema_exists(cur, plan):
        return None
    cur.execute(sql.SQL("SELECT revision FROM {} FOR UPDATE").format(_ident(plan, _STATE)))
    return int(_one_row(cur, plan)[0])


def _lock_plan(cur: psycopg.Cursor, plan: str) -> None:
    """Serialise whole-plan writes of one plan (released at commit/rollback)."""
    cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ("zoneplan:" + plan,))


# -- column types -----------------------------------------------------------------------------------
def _sql_type(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(dtype):
        return "double precision"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "timestamptz"
    if pd.api.types.is_datetime64_dtype(dtype):
        return "timestamp"
    return "text"


def _python_values(series: pd.Series, sql_type: str) -> list:
    """Column values as Python objects for COPY, ``None`` for missing."""
    mask = pd.isna(series).to_numpy()
    if sql_type == "bigint":
        out = series.to_numpy(dtype="int64", na_value=0).tolist()
    elif sql_type == "double precision":
        out = series.to_numpy(dtype="float64", na_value=np.nan).tolist()
    elif sql_type == "boolean":
        out = series.to_numpy(dtype=bool, na_value=False).tolist()
    elif sql_type in ("timestamp", "timestamptz"):
        out = [v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in series.astype(object)]
    else:
        out = [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else str(v) for v in series.astype(object)]
    for i in np.flatnonzero(mask):
        out[i] = None
    return out


def _restore(values: Iterable, dtype: str) -> pd.Series:
    s = pd.Series(list(values), dtype=object)
    if dtype == "object":
        return s
    try:
        return s.astype(dtype)
    except (TypeError, ValueError):  # an unusual dtype string: keep the values
        return s


# -- writing ----------------------------------------------------------------------------------------
def _srid(plan: Plan, loc: PlanLocation) -> int:
    epsg = plan.crs.to_epsg() if plan.crs is not None else None
    if epsg is None:
        raise InputError(f"the PostGIS backend stores geometry with an EPSG code; the plan's CRS has none ({plan.crs})", file=loc, rule="crs")
    return int(epsg)


def _create_internal_tables(cur: psycopg.Cursor, plan: str) -> None:
    s = plan
    cur.execute(
        sql.SQL(
            "CREATE TABLE {} (revision bigint NOT NULL, srid integer NOT NULL, crs_wkt text, updated_at timestamptz NOT NULL DEFAULT now(), updated_by text NOT NULL DEFAULT current_user, xact bigint);"
            "CREATE TABLE {} (key text PRIMARY KEY, value text);"
            "CREATE TABLE {} (name text PRIMARY KEY, kind text NOT NULL CHECK (kind IN ('layer', 'table')), position integer NOT NULL, meta jsonb, geometry_column text, geometry_type text, promoted boolean NOT NULL DEFAULT false);"
            "CREATE TABLE {} (object text NOT NULL REFERENCES {} (name) ON DELETE CASCADE, position integer NOT NULL, name text NOT NULL, dtype text NOT NULL, PRIMARY KEY (object, position))"
        ).format(_ident(s, _STATE), _ident(s, _META), _ident(s, _OBJECTS), _ident(s, _COLUMNS), _ident(s, _OBJECTS))
    )
    for table, comment in (
        (_STATE, "规划版本（每次修改加 1） / the plan's revision (incremented by every change, from any client)"),
        (_META, "规划元数据 / plan metadata"),
        (_OBJECTS, "图层和表的顺序与元数据 / order and metadata of layers and tables"),
        (_COLUMNS, "列的顺序和 pandas 类型 / column order and pandas dtypes"),
    ):
        cur.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(_ident(s, table), sql.Literal(comment)))


def _create_history(cur: psycopg.Cursor, plan: str, srid: int) -> None:
    """The change log and the triggers' functions (kept across whole-plan writes).

    The log's geometry columns are in the plan's SRID (so QGIS can show past geometries); a
    rewrite in another CRS transforms them.
    """
    s = _ident(plan)
    cur.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, revision bigint NOT NULL,"
            " changed_at timestamptz NOT NULL DEFAULT now(), changed_by text NOT NULL DEFAULT current_user,"
            " client text DEFAULT current_setting('application_name'), layer text NOT NULL, zp_fid bigint, feature_id text,"
            " op text NOT NULL CHECK (op IN ('INSERT', 'UPDATE', 'DELETE')), old_values jsonb, new_values jsonb, old_geom geometry(Geometry, {srid}), new_geom geometry(Geometry, {srid}));"
            "CREATE INDEX IF NOT EXISTS zoneplan_history_layer_idx ON {} (layer, zp_fid, id);"
            "CREATE INDEX IF NOT EXISTS zoneplan_history_revision_idx ON {} (revision)"
        ).format(_ident(plan, _HISTORY), _ident(plan, _HISTORY), _ident(plan, _HISTORY), srid=sql.Literal(srid))
    )
    cur.execute("SELECT srid FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = %s AND f_geometry_column = 'old_geom'", (plan, _HISTORY))
    if _one_row(cur, plan)[0] != srid:
        cur.execute(
            sql.SQL(
                "ALTER TABLE {h} ALTER COLUMN old_geom TYPE geometry(Geometry, {srid}) USING ST_Transform(old_geom, {srid}),"
                " ALTER COLUMN new_geom TYPE geometry(Geometry, {srid}) USING ST_Transform(new_geom, {srid})"
            ).format(h=_ident(plan, _HISTORY), srid=sql.Literal(srid))
        )
    cur.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(_ident(plan, _HISTORY), sql.Literal(_HISTORY_COMMENT)))
    body = sql.SQL(_TRIGGER_SQL).format(
        schema=s, state=_ident(plan, _STATE), history=_ident(plan, _HISTORY), system=sql.Literal("{" + ",".join((*SYSTEM_COLUMNS, _GEOM)) + "}")
    )
    cur.execute(body)


def _copy_rows(cur: psycopg.Cursor, table: sql.Composable, columns: list[str], values: list[list]) -> None:
    if not values or not len(values[0]):
        return
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(table, sql.SQL(", ").join(map(_ident, columns)))
    with cur.copy(stmt) as copy:
        for row in zip(*values):
            copy.write_row(row)


def _geometry_type(geoms: np.ndarray) -> tuple[str, bool]:
    """PostGIS type of a geometry column, and whether single polygons are stored promoted to multi.

    Polygon layers are ``MultiPolygon`` (what QGIS edits, and what a Polygon/MultiPolygon mix
    needs); other layers keep their one type, or the generic ``Geometry`` for a mix.
    """
    kinds = set(shapely.get_type_id(geoms[~shapely.is_missing(geoms)]).tolist())
    polygonal = {3, 6}  # Polygon, MultiPolygon
    if kinds <= polygonal:
        return "MultiPolygon", kinds != {6}
    if len(kinds) == 1:
        return _TYPE_NAMES[kinds.pop()], False
    return "Geometry", False


@functools.cache
def _column_docs() -> dict[tuple[str, str], tuple[str, str, str]]:
    """(layer or ``*``, column or ``""`` for the table) → (Chinese, English, unit), from ``data/layer_columns.csv``."""
    with importlib.resources.files("zoneplan.data").joinpath("layer_columns.csv").open(encoding="utf-8") as fh:
        return {(r["object"], r["column"]): (r["name_zh"], r["name_en"], r["unit"]) for r in csv.DictReader(fh)}


def _ewkb(geoms: np.ndarray, *, srid: int, multi: bool) -> list[str]:
    """Hex EWKB for COPY; with ``multi``, polygons become one-part multipolygons (the column's type)."""
    if multi:
        single = shapely.get_type_id(geoms) == 3
        if single.any():
            geoms = geoms.copy()
            geoms[single] = shapely.multipolygons(geoms[single][:, np.newaxis])
    return shapely.to_wkb(shapely.set_srid(geoms, srid), hex=True, include_srid=True).tolist()


def _column_comment(layer: str, column: str) -> str | None:
    docs = _column_docs()
    row = docs.get((layer, column)) or docs.get(("*", column))
    if row is None:
        return None
    zh, en, unit = row
    return f"{zh} / {en}" + (f" ({unit})" if unit else "")


def _comment_sql(table: sql.Composable, layer: str, columns: Iterable[str]) -> sql.Composed:
    parts = []
    title = _column_docs().get((layer, ""))
    if title:
        parts.append(sql.SQL("COMMENT ON TABLE {} IS {}").format(table, sql.Literal(f"{title[0]} / {title[1]} — zoneplan 规划图层 / plan layer")))
    for column in columns:
        text = _column_comment(layer, column)
        if text:
            parts.append(sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(table, _ident(column), sql.Literal(text)))
    return sql.SQL(";").join(parts)


def _check_ids(frame: pd.DataFrame, name: str, loc: PlanLocation) -> str | None:
    """The layer's contract id column, after checking it is unique and never empty."""
    spec = LAYERS.get(name)
    if not (spec and spec.id_column and spec.id_column in frame.columns):
        return None
    ids = frame[spec.id_column]
    missing = ids.isna()
    if missing.any():
        raise InputError(
            f"{int(missing.sum())} feature(s) have no {spec.id_column}; ids are required in a shared plan",
            file=loc,
            layer=name,
            feature=f"row {int(np.flatnonzero(missing)[0])}",
            rule="unique-id",
        )
    dup = ids[ids.duplicated()]
    if len(dup):
        raise InputError(
            f"{spec.id_column} {dup.iloc[0]!r} is used by more than one feature ({dup.nunique()} duplicated id(s))",
            file=loc,
            layer=name,
            feature=str(dup.iloc[0]),
            rule="unique-id",
        )
    return spec.id_column


def _write_object(
    cur: psycopg.Cursor, loc: PlanLocation, name: str, frame: pd.DataFrame, *, position: int, srid: int | None, meta: Mapping[str, str] | None, revision: int
) -> None:
    plan = loc.plan
    is_layer = isinstance(frame, gpd.GeoDataFrame)
    geometry_column = frame.geometry.name if is_layer else None
    attrs = [c for c in frame.columns if c != geometry_column]
    names = [_validate_column(c, layer=name, location=loc) for c in attrs]
    if len(set(names)) != len(names):
        raise InputError("duplicate column names", file=loc, layer=name, rule="identifier")
    id_column = _check_ids(frame, name, loc) if is_layer else None
    types = [_sql_type(frame[c]) for c in attrs]
    defs: list[sql.Composable] = [sql.SQL("zp_fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")]
    if is_layer:
        defs += [
            sql.SQL("zp_version integer NOT NULL DEFAULT 1"),
            sql.SQL("zp_updated_at timestamptz NOT NULL DEFAULT now()"),
            sql.SQL("zp_updated_by text NOT NULL DEFAULT current_user"),
        ]
    defs += [sql.SQL("{} {}{}").format(_ident(n), sql.SQL(t), sql.SQL(" NOT NULL UNIQUE" if n == id_column else "")) for n, t in zip(names, types)]
    geometry_type, promoted, ewkb = None, False, None
    if is_layer:
        if srid is None:
            raise TypeError(f"layer {name!r} is written with its plan's SRID, not srid=None")
        geoms = frame.geometry.to_numpy()
        geometry_type, promoted = _geometry_type(geoms)
        ewkb = _ewkb(geoms, srid=srid, multi=geometry_type == "MultiPolygon")
        defs.append(sql.SQL("{} geometry({}, {})").format(_ident(_GEOM), sql.SQL(geometry_type), sql.Literal(srid)))
    table = _ident(plan, name)
    cur.execute(sql.SQL("CREATE TABLE {} ({})").format(table, sql.SQL(", ").join(defs)))

    values = [list(range(len(frame)))] + [_python_values(frame[c], t) for c, t in zip(attrs, types)]
    columns = ["zp_fid", *names]
    if ewkb is not None:
        values.append(ewkb)
        columns.append(_GEOM)
    _copy_rows(cur, table, columns, values)
    cur.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN zp_fid RESTART WITH {}").format(table, sql.Literal(max(len(frame), 1))))
    cur.execute(_comment_sql(table, name, [*SYSTEM_COLUMNS[: 4 if is_layer else 1], *names, *([_GEOM] if is_layer else [])]))

    if is_layer:
        cur.execute(sql.SQL("CREATE INDEX {} ON {} USING gist ({})").format(_ident(f"{name}_geom_gist"[:63]), table, _ident(_GEOM)))
        cur.execute(sql.SQL("ANALYZE {}").format(table))
    _record_rows(cur, plan, name, "INSERT", revision=revision, id_column=id_column or "", geometry=is_layer)
    cur.execute(
        sql.SQL(
            "CREATE TRIGGER zp_lock BEFORE INSERT OR UPDATE OR DELETE ON {t} FOR EACH STATEMENT EXECUTE FUNCTION {s}.zp_lock();"
            "CREATE TRIGGER zp_stamp BEFORE INSERT OR UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION {s}.zp_stamp({id}, {versioned});"
            "CREATE TRIGGER zp_record AFTER INSERT OR UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION {s}.zp_record({id}, {versioned})"
        ).format(t=table, s=_ident(plan), id=sql.Literal(id_column or ""), versioned=sql.Literal("true" if is_layer else "false"))
    )
    cur.execute(
        sql.SQL("INSERT INTO {} (name, kind, position, meta, geometry_column, geometry_type, promoted) VALUES (%s, %s, %s, %s, %s, %s, %s)").format(
            _ident(plan, _OBJECTS)
        ),
        (name, "layer" if is_layer else "table", position, json.dumps(dict(meta)) if meta else None, geometry_column, geometry_type, promoted),
    )
    with cur.copy(sql.SQL("COPY {} (object, position, name, dtype) FROM STDIN").format(_ident(plan, _COLUMNS))) as copy:
        for i, c in enumerate(attrs):
            copy.write_row((name, i, names[i], str(frame[c].dtype)))


def _record_rows(cur: psycopg.Cursor, plan: str, name: str, op: str, *, revision: int, id_column: str, geometry: bool) -> None:
    """Log every row of a table as inserted (after a whole-plan write) or deleted (before one)."""
    cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s AND column_name <> ALL(%s) ORDER BY ordinal_position",
        (plan, name, [*SYSTEM_COLUMNS, _GEOM]),
    )
    attrs = sql.SQL(", ").join(sql.SQL("t.{}").format(_ident(r[0])) for r in cur.fetchall())
    values = sql.SQL("to_jsonb(a)")  # the attributes only: the geometry never goes through jsonb
    geom = sql.SQL("t.geom") if geometry else sql.SQL("NULL::geometry")
    feature = sql.SQL("t.{}::text").format(_ident(id_column)) if id_column else sql.SQL("NULL")
    nothing = (sql.SQL("NULL::jsonb"), sql.SQL("NULL::geometry"))
    old, new = ((values, geom), nothing) if op == "DELETE" else (nothing, (values, geom))
    cur.execute(
        sql.SQL(
            "INSERT INTO {h} (revision, layer, zp_fid, feature_id, op, old_values, old_geom, new_values, new_geom)"
            " SELECT %s, %s, t.zp_fid, {f}, %s, {ov}, {og}, {nv}, {ng} FROM {t} AS t, LATERAL (SELECT {attrs}) AS a ORDER BY t.zp_fid"
        ).format(h=_ident(plan, _HISTORY), f=feature, ov=old[0], og=old[1], nv=new[0], ng=new[1], t=_ident(plan, name), attrs=attrs),
        (revision, name, op),
    )


def _expected_revision(plan: Plan, loc: PlanLocation) -> int | None:
    tag = plan.meta.get(REVISION_META_KEY)
    if not tag or ":" not in str(tag):
        return None
    name, _, rev = str(tag).rpartition(":")
    return int(rev) if name == loc.plan and rev.isdigit() else None


def write_plan(plan: Plan, uri: str, *, overwrite: bool = True) -> int:
    """Write ``plan`` as schema ``#PLAN`` of the database, replacing it in one transaction.

    Parameters
    ----------
    plan
        The plan to store.
    uri
        ``postgresql://…/DATABASE#PLAN``.
    overwrite
        When False, refuse to replace an existing plan (:class:`PlanError`).

    Returns
    -------
    int
        The plan's new revision.

    Raises
    ------
    ConflictError
        ``plan`` was read from this plan at an older revision (someone changed it since).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> uri = f"{database}#linqing_write"
    >>> write_plan(datasets.load("linqing"), uri)
    1
    >>> write_plan(datasets.load("linqing"), uri, overwrite=False)
    Traceback (most recent call last):
    ...
    zoneplan.errors.PlanError: ...
    >>> drop_plan(uri)
    """
    loc = parse_uri(uri)
    srid = _srid(plan, loc)
    for name in (*plan.layers, *plan.tables):
        validate_name(name, what="layer name", location=loc)
    if len(set(plan.layers) | set(plan.tables)) != len(plan.layers) + len(plan.tables):
        raise InputError("a layer and a table have the same name", file=loc, rule="identifier")
    with connect(loc) as con, con.cursor() as cur:
        _lock_plan(cur, loc.plan)
        current = _current_revision(cur, loc.plan)
        if current is not None and not overwrite:
            raise PlanError("a plan of this name already exists (use overwrite)", file=loc, rule="exists")
        expected = _expected_revision(plan, loc)
        if current is not None and expected is not None and expected != current:
            raise ConflictError(
                f"the plan was changed by someone else since it was read (read at revision {expected}, now {current}); re-read it and apply your changes again",
                file=loc,
                rule="revision",
            )
        revision = (current or 0) + 1
        grantees = _grantees(cur, loc.plan) if current is not None else {}
        if current is None:
            cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(_ident(loc.plan)))
        else:
            _clear_plan(cur, loc.plan, revision=revision)
        _create_internal_tables(cur, loc.plan)
        _create_history(cur, loc.plan, srid)
        cur.execute(
            sql.SQL("INSERT INTO {} (revision, srid, crs_wkt, xact) VALUES (%s, %s, %s, txid_current())").format(_ident(loc.plan, _STATE)),
            (revision, srid, plan.crs.to_wkt()),
        )
        meta = {k: str(v) for k, v in plan.meta.items() if k != REVISION_META_KEY}
        _copy_rows(cur, _ident(loc.plan, _META), ["key", "value"], [list(meta), list(meta.values())])
        writing = None
        try:
            for position, (writing, gdf) in enumerate(plan.layers.items()):
                _write_object(cur, loc, writing, gdf, position=position, srid=srid, meta=plan.layer_meta.get(writing), revision=revision)
            for position, (writing, df) in enumerate(plan.tables.items(), start=len(plan.layers)):
                _write_object(cur, loc, writing, pd.DataFrame(df), position=position, srid=None, meta=None, revision=revision)
            if current is not None:
                _merge_rewrite(cur, loc.plan, revision)
            _write_styles(cur, loc.plan, plan)
            for role, edit in grantees.items():
                _grant(cur, loc.plan, role, edit=edit)
        except psycopg.OperationalError as exc:  # the server went away: the transaction never committed
            reason = " ".join(str(exc).split())
            raise InputError(
                f"the database connection was lost while writing ({reason}); the plan in the database is unchanged", file=loc, layer=writing, rule="database"
            ) from None
    return revision


#: QGIS's own definition of ``public.layer_styles`` (QgsPostgresProvider), where QGIS looks for a
#: PostGIS layer's default style.
_LAYER_STYLES_DDL = (
    "CREATE TABLE IF NOT EXISTS public.layer_styles (id serial PRIMARY KEY, f_table_catalog varchar, f_table_schema varchar,"
    " f_table_name varchar, f_geometry_column varchar, stylename text, styleqml xml, stylesld xml, useasdefault boolean,"
    " description text, owner varchar(63) DEFAULT CURRENT_USER, ui xml, update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)"
)


def _write_styles(cur: psycopg.Cursor, plan_name: str, plan: Plan) -> None:
    """Store a default QGIS style per layer in ``public.layer_styles``, replacing only zoneplan's rows.

    A layer whose user saved a default style keeps it as the default; zoneplan's is stored beside it.
    """
    from zoneplan.io.qgis_style import ZONEPLAN_STYLE, plan_styles

    cur.execute(
        "SELECT CASE WHEN to_regclass('public.layer_styles') IS NULL THEN has_schema_privilege('public', 'CREATE')"
        " ELSE has_table_privilege('public.layer_styles', 'INSERT') AND has_table_privilege('public.layer_styles', 'DELETE') END"
    )
    if not _one_row(cur, plan_name)[0]:
        warnings.warn(f"plan {plan_name!r} written without QGIS styles: {_whoami(cur)} may not write public.layer_styles", stacklevel=3)
        return
    cur.execute(_LAYER_STYLES_DDL)
    cur.execute(
        "DELETE FROM public.layer_styles WHERE f_table_catalog = current_database() AND f_table_schema = %s AND coalesce(description, '') LIKE %s",
        (plan_name, ZONEPLAN_STYLE + "%"),
    )
    cur.execute(
        "SELECT DISTINCT f_table_name FROM public.layer_styles WHERE f_table_catalog = current_database() AND f_table_schema = %s AND useasdefault",
        (plan_name,),
    )
    user_defaults = {r[0] for r in cur.fetchall()}
    for name, qml in plan_styles(plan.layers).items():
        cur.execute(
            "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, stylename, styleqml, stylesld, useasdefault, description, owner, ui, update_time, type)"
            " VALUES (current_database(), %s, %s, %s, %s, XMLPARSE(DOCUMENT %s), NULL, %s, %s, current_user, NULL, now() AT TIME ZONE 'UTC', NULL)",
            (plan_name, name, _GEOM, name, qml, name not in user_defaults, f"{ZONEPLAN_STYLE} default style"),
        )


def _whoami(cur: psycopg.Cursor) -> str:
    row = cur.execute("SELECT current_user").fetchone()
    return str(row[0]) if row else "the current database user"


def _merge_rewrite(cur: psycopg.Cursor, plan: str, revision: int) -> None:
    """Keep only real changes in the log of a whole-plan write.

    A rewrite logs every old feature deleted and every new one inserted; the pairs of one feature
    (same contract id, else same ``zp_fid``) are dropped when it is unchanged and become one UPDATE
    when it changed.
    """
    h = _ident(plan, _HISTORY)
    # one feature's DELETE and INSERT of this revision, grouped (a hash aggregate and primary-key
    # lookups: linear in the plan's size, whatever the planner knows of the log)
    cur.execute(
        sql.SQL(
            "CREATE TEMP TABLE _zp_pairs ON COMMIT DROP AS"
            " SELECT min(id) FILTER (WHERE op = 'DELETE') AS d_id, min(id) FILTER (WHERE op = 'INSERT') AS i_id, NULL::boolean AS same"
            " FROM {h} WHERE revision = %(r)s AND op IN ('DELETE', 'INSERT') GROUP BY layer, coalesce(feature_id, '#' || zp_fid)"
            " HAVING count(*) FILTER (WHERE op = 'DELETE') = 1 AND count(*) FILTER (WHERE op = 'INSERT') = 1"
        ).format(h=h),
        {"r": revision},
    )
    cur.execute(
        sql.SQL(
            "ANALYZE _zp_pairs;"
            "UPDATE _zp_pairs AS p SET same = d.old_values = i.new_values AND d.old_geom IS NOT DISTINCT FROM i.new_geom FROM {h} AS d, {h} AS i WHERE d.id = p.d_id AND i.id = p.i_id;"
            "UPDATE {h} AS t SET op = 'UPDATE', old_values = d.old_values, old_geom = d.old_geom FROM _zp_pairs AS p JOIN {h} AS d ON d.id = p.d_id WHERE t.id = p.i_id AND NOT p.same;"
            "DELETE FROM {h} WHERE id IN (SELECT d_id FROM _zp_pairs UNION ALL SELECT i_id FROM _zp_pairs WHERE same);"
            "DROP TABLE _zp_pairs;"
            "ANALYZE {h}"
        ).format(h=h)
    )


def _clear_plan(cur: psycopg.Cursor, plan: str, *, revision: int) -> None:
    """Log every feature of the stored plan as deleted at ``revision``, then drop all but the history."""
    if _has_history(cur, plan):
        cur.execute(sql.SQL("SELECT name, kind FROM {}").format(_ident(plan, _OBJECTS)))
        for name, kind in cur.fetchall():
            spec = LAYERS.get(name)
            id_column = spec.id_column if kind == "layer" and spec and spec.id_column and _has_column(cur, plan, name, spec.id_column) else ""
            _record_rows(cur, plan, name, "DELETE", revision=revision, id_column=id_column, geometry=kind == "layer")
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> %s", (plan, _HISTORY))
    tables = [r[0] for r in cur.fetchall()]
    if tables:
        cur.execute(sql.SQL("DROP TABLE {} CASCADE").format(sql.SQL(", ").join(_ident(plan, t) for t in tables)))


def _has_history(cur: psycopg.Cursor, plan: str) -> bool:
    cur.execute("SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = %s", (plan, _HISTORY))
    return cur.fetchone() is not None


def _has_column(cur: psycopg.Cursor, plan: str, table: str, column: str) -> bool:
    cur.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = %s AND table_name = %s AND column_name = %s", (plan, table, column))
    return cur.fetchone() is not None


# -- reading ----------------------------------------------------------------------------------------
def _columns(cur: psycopg.Cursor, plan: str, name: str) -> list[tuple[str, str]]:
    cur.execute(sql.SQL("SELECT name, dtype FROM {} WHERE object = %s ORDER BY position").format(_ident(plan, _COLUMNS)), (name,))
    return [(r[0], r[1]) for r in cur.fetchall()]


def _read_object(
    cur: psycopg.Cursor, loc: PlanLocation, name: str, geometry_column: str | None, srid: int, *, versions: bool = False, promoted: bool = False
) -> pd.DataFrame:
    cols = _columns(cur, loc.plan, name)
    system = list(SYSTEM_COLUMNS) if versions and geometry_column else []
    select: list[sql.Composable] = [_ident(c) for c in [*system, *(c for c, _ in cols)]]
    if geometry_column:
        select.append(sql.SQL("ST_AsBinary({})").format(_ident(_GEOM)))
    if not select:
        select = [sql.SQL("zp_fid")]
    cur.execute(sql.SQL("SELECT {} FROM {} ORDER BY zp_fid").format(sql.SQL(", ").join(select), _ident(loc.plan, name)))
    rows = cur.fetchall()
    columns = list(zip(*rows)) if rows else [()] * len(select)
    data: dict[str, pd.Series] = {}
    for i, c in enumerate(system):
        data[c] = _restore(columns[i], {"zp_fid": "Int64", "zp_version": "Int64", "zp_updated_at": "object", "zp_updated_by": "string"}[c])
    for j, (c, dtype) in enumerate(cols):
        data[c] = _restore(columns[len(system) + j], dtype)
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    if not geometry_column:
        return frame
    geoms = shapely.from_wkb(np.array(columns[-1], dtype=object)) if rows else np.array([], dtype=object)
    if promoted:
        geoms = _demote(geoms)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=srid, index=frame.index, name=geometry_column), crs=srid)


def _demote(geoms: np.ndarray) -> np.ndarray:
    """Polygons stored as one-part multipolygons (see :func:`_geometry_type`), read back as written."""
    single = (shapely.get_type_id(geoms) == 6) & (shapely.get_num_geometries(geoms) == 1)
    geoms[single] = shapely.get_geometry(geoms[single], 0)
    return geoms


def _require_plan(cur: psycopg.Cursor, loc: PlanLocation) -> tuple[int, int, str | None]:
    if not _schema_exists(cur, loc.plan):
        raise InputError(f"no plan named {loc.plan!r} in the database", file=loc)
    cur.execute(sql.SQL("SELECT revision, srid, crs_wkt FROM {}").format(_ident(loc.plan, _STATE)))
    revision, srid, wkt = _one_row(cur, loc.plan)
    return int(revision), int(srid), wkt


def read_plan(uri: str) -> Plan:
    """Read plan ``#PLAN`` from the database (one consistent snapshot of all layers and tables).

    The returned plan's ``meta["postgis_revision"]`` is ``"<plan>:<revision>"``; see
    :func:`write_plan`.

    Examples
    --------
    ``database`` is a database with PostGIS (e.g. ``"postgresql://planner@db.bureau/plans"``):

    >>> from zoneplan import datasets
    >>> write_plan(datasets.load("zhangdian"), f"{database}#zhangdian_read")
    1
    >>> plan = read_plan(f"{database}#zhangdian_read")
    >>> len(plan.parcels), plan.meta["postgis_revision"]
    (369, 'zhangdian_read:1')
    >>> drop_plan(f"{database}#zhangdian_read")
    """
    loc = parse_uri(uri)
    with connect(loc) as con:
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with con.cursor(binary=True) as cur:
            revision, srid, wkt = _require_plan(cur, loc)
            cur.execute(sql.SQL("SELECT key, value FROM {}").format(_ident(loc.plan, _META)))
            meta = dict(cur.fetchall())
            cur.execute(
                sql.SQL("SELECT name, kind, meta, geometry_column, (to_jsonb(o) ->> 'promoted') = 'true' FROM {} AS o ORDER BY position").format(
                    _ident(loc.plan, _OBJECTS)
                )
            )
            objects = cur.fetchall()
            layers, tables, layer_meta = {}, {}, {}
            for name, kind, obj_meta, geometry_column, promoted in objects:
                frame = _read_object(cur, loc, name, geometry_column if kind == "layer" else None, srid, promoted=bool(promoted))
                if kind == "layer":
                    layers[name] = frame
                    if obj_meta:
                        layer_meta[name] = dict(obj_meta)
                else:
                    tables[name] = frame
    crs = pyproj.CRS.from_wkt(wkt) if wkt else pyproj.CRS.from_epsg(srid)
    meta[REVISION_META_KEY] = f"{loc.plan}:{revision}"
    return Plan(layers, tables, crs=crs, meta=meta, layer_meta=layer_meta)


def read_layer(uri: str, layer: str, *, versions: bool = False) -> gpd.GeoDataFrame:
    """Read one layer of plan ``#PLAN``.

    Parameters
    ----------
    uri
        ``postgresql://…#PLAN``.
    layer
        Layer name.
    versions
        Also return ``zp_fid``, ``zp_version``, ``zp_updated_at`` and ``zp_updated_by`` (what
        :func:`update_features` needs to detect concurrent edits).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> uri = f"{database}#zhangdian_layer"
    >>> write_plan(datasets.load("zhangdian"), uri)
    1
    >>> parcels = read_layer(uri, "parcels", versions=True)
    >>> len(parcels), list(parcels.columns[:5]), parcels.crs.to_epsg()
    (369, ['zp_fid', 'zp_version', 'zp_updated_at', 'zp_updated_by', 'parcel_id'], 4548)
    >>> drop_plan(uri)
    """
    loc = parse_uri(uri)
    validate_name(layer, what="layer name", location=loc)
    with connect(loc) as con, con.cursor(binary=True) as cur:
        _, srid, _ = _require_plan(cur, loc)
        cur.execute(
            sql.SQL("SELECT kind, geometry_column, (to_jsonb(o) ->> 'promoted') = 'true' FROM {} AS o WHERE name = %s").format(_ident(loc.plan, _OBJECTS)),
            (layer,),
        )
        row = cur.fetchone()
        if row is None or row[0] != "layer":
            raise InputError(f"plan {loc.plan!r} has no layer {layer!r}", file=loc, layer=layer)
        return _read_object(cur, loc, layer, row[1], srid, versions=versions, promoted=bool(row[2]))


# -- editing ----------------------------------------------------------------------------------------
def update_features(
    target: str | psycopg.Connection,
    layer: str,
    edits: pd.DataFrame,
    *,
    expected_versions: Mapping[Any, int] | pd.Series | None = None,
    id_column: str | None = None,
    plan: str | None = None,
) -> pd.Series:
    """Change existing features of a layer, refusing edits of features changed since they were read.

    Parameters
    ----------
    target
        ``postgresql://…#PLAN``, or an open psycopg connection (then ``plan`` names the plan and
        the caller owns the transaction: nothing is committed here).
    layer
        Layer name (``parcels`` …).
    edits
        One row per feature: the id column plus the columns to change (any subset of the layer's
        columns; a ``geometry`` column when ``edits`` is a GeoDataFrame). A ``zp_version`` column
        gives the version each feature was read at.
    expected_versions
        Feature id → version read; default: ``edits["zp_version"]``.
    id_column
        Identifier column; default the layer's contract id (``parcel_id`` …), else ``zp_fid``.
    plan
        Plan name when ``target`` is a connection.

    Returns
    -------
    pandas.Series
        The new version of each edited feature, indexed by feature id.

    Raises
    ------
    ConflictError
        Some feature was changed (or deleted) by someone else since it was read; no feature was
        changed. ``error.conflicts`` lists them.
    InputError
        Unknown layer or column, duplicate ids in ``edits``, missing versions.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> uri = f"{database}#zhangdian_update"
    >>> write_plan(datasets.load("zhangdian"), uri)
    1
    >>> parcels = read_layer(uri, "parcels", versions=True)
    >>> edit = parcels.loc[parcels.parcel_id == "ZD-0021", ["parcel_id", "zp_version", "status"]].assign(status="built")
    >>> update_features(uri, "parcels", edit).to_dict()  # the feature's new version
    {'ZD-0021': 2}
    >>> try:  # the same edit again: ZD-0021 was read at version 1, it is at 2 now
    ...     update_features(uri, "parcels", edit)
    ... except ConflictError as error:
    ...     print(error.conflicts[["feature_id", "expected_version", "current_version"]].to_numpy().tolist())
    [['ZD-0021', 1, 2]]
    >>> drop_plan(uri)
    """
    if isinstance(target, str):
        loc = parse_uri(target)
        with connect(loc) as con:
            return _update(con, loc, layer, edits, expected_versions=expected_versions, id_column=id_column)
    if plan is None:
        raise InputError("update_features on a connection needs plan=NAME")
    loc = PlanLocation(str(target.info.dsn), validate_name(plan))
    with target.transaction():
        return _update(target, loc, layer, edits, expected_versions=expected_versions, id_column=id_column)


def _update(con: psycopg.Connection, loc: PlanLocation, layer: str, edits: pd.DataFrame, *, expected_versions, id_column: str | None) -> pd.Series:
    validate_name(layer, what="layer name", location=loc)
    with con.cursor() as cur:
        _require_plan(cur, loc)
        cur.execute(sql.SQL("SELECT kind, geometry_column FROM {} WHERE name = %s").format(_ident(loc.plan, _OBJECTS)), (layer,))
        row = cur.fetchone()
        if row is None or row[0] != "layer":
            raise InputError(f"plan {loc.plan!r} has no layer {layer!r}", file=loc, layer=layer)
        geometry_column = row[1]
        stored = dict(_columns(cur, loc.plan, layer))
        spec = LAYERS.get(layer)
        key = id_column or (spec.id_column if spec and spec.id_column in stored else "zp_fid")
        if key not in edits.columns:
            raise InputError(f"edits have no id column {key!r}", file=loc, layer=layer)
        ids = edits[key]
        if ids.isna().any() or ids.duplicated().any():
            raise InputError(f"edits must name each feature once by {key!r}", file=loc, layer=layer, feature=ids[ids.duplicated()].tolist()[:5] or None)
        if expected_versions is None:
            if "zp_version" not in edits.columns:
                raise InputError(
                    "give the version each feature was read at (zp_version column or expected_versions)", file=loc, layer=layer, rule="row-version"
                )
            expected = edits["zp_version"].to_numpy()
        else:
            expected = pd.Series(expected_versions).reindex(ids.to_numpy()).to_numpy()
        if pd.isna(pd.Series(expected)).any():
            raise InputError("a feature has no expected version", file=loc, layer=layer, rule="row-version")
        has_geom = isinstance(edits, gpd.GeoDataFrame) and edits.geometry.name in edits.columns
        change = [c for c in edits.columns if c not in (key, *SYSTEM_COLUMNS) and not (has_geom and c == edits.geometry.name)]
        unknown = [c for c in change if c not in stored]
        if unknown:
            raise InputError(f"layer has no column(s) {unknown}; add columns by writing the plan", file=loc, layer=layer)
        set_cols = list(change) + ([_GEOM] if has_geom and geometry_column else [])

        tmp = _ident("_zp_edit")
        cur.execute(sql.SQL("DROP TABLE IF EXISTS pg_temp.{}").format(tmp))
        cur.execute(
            sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {}, zp_version AS _zp_expected{} FROM {} WITH NO DATA").format(
                tmp,
                _ident(key),
                sql.SQL("").join(sql.SQL(", {}").format(_ident(c)) for c in set_cols),
                _ident(loc.plan, layer),
            )
        )
        key_type = "bigint" if key == "zp_fid" else _sql_type(_restore([], stored[key]))
        values = [_python_values(ids, key_type), [int(v) for v in expected]]
        values += [_python_values(edits[c], _sql_type(_restore([], stored[c]))) for c in change]
        if has_geom and geometry_column:
            srid = _one_row(cur.execute(sql.SQL("SELECT srid FROM {}").format(_ident(loc.plan, _STATE))), loc.plan)[0]
            multi = _one_row(
                cur.execute(
                    sql.SQL("SELECT (to_jsonb(o) ->> 'geometry_type') = 'MultiPolygon' FROM {} AS o WHERE name = %s").format(_ident(loc.plan, _OBJECTS)),
                    (layer,),
                ),
                loc.plan,
            )[0]
            values.append(_ewkb(edits.geometry.to_numpy(), srid=srid, multi=bool(multi)))
        _copy_rows(cur, tmp, [key, "_zp_expected", *set_cols], values)
        # the triggers stamp zp_version, zp_updated_at, zp_updated_by and the plan revision
        assignments = [sql.SQL("{} = e.{}").format(_ident(c), _ident(c)) for c in set_cols]
        cur.execute(
            sql.SQL("UPDATE {} AS t SET {} FROM {} AS e WHERE t.{} = e.{} AND t.zp_version = e._zp_expected RETURNING t.{}, t.zp_version").format(
                _ident(loc.plan, layer), sql.SQL(", ").join(assignments), tmp, _ident(key), _ident(key), _ident(key)
            )
        )
        done = cur.fetchall()
        if len(done) != len(edits):
            updated = {i for i, _ in done}
            stale = [i for i in ids.tolist() if i not in updated]
            cur.execute(
                sql.SQL("SELECT {k}, zp_version, zp_updated_by, zp_updated_at FROM {tab} WHERE {k} = ANY(%s)").format(
                    k=_ident(key), tab=_ident(loc.plan, layer)
                ),
                (stale,),
            )
            current = {r[0]: r[1:] for r in cur.fetchall()}
            expected_of = dict(zip(ids.tolist(), (int(v) for v in expected)))
            bad = pd.DataFrame(
                [(i, expected_of[i], *current.get(i, (pd.NA, pd.NA, pd.NA))) for i in stale],
                columns=["feature_id", "expected_version", "current_version", "updated_by", "updated_at"],
            )
            raise ConflictError(
                f"{len(bad)} feature(s) were changed by someone else since you read them: "
                + ", ".join(
                    f"{r.feature_id} (read at version {r.expected_version}, now "
                    + ("deleted" if pd.isna(r.current_version) else f"version {int(r.current_version)} by {r.updated_by}")
                    + ")"
                    for r in bad.head(10).itertuples()
                )
                + "; nothing was written — re-read and apply your changes again",
                conflicts=bad,
                file=loc,
                layer=layer,
                rule="row-version",
            )
    return pd.Series([int(v) for _, v in done], index=pd.Index([i for i, _ in done], name=key), name="zp_version").reindex(ids.to_numpy())


# -- access -----------------------------------------------------------------------------------------
def grant(uri: str, role: str, *, edit: bool = True) -> None:
    """Let database role ``role`` read (and with ``edit`` change) the features of plan ``#PLAN``.

    Editors may insert, update and delete features and table rows — from zoneplan, QGIS, psql or
    any other client — and the triggers log each change under their name; they cannot change
    the history or the plan's structure. The grants survive whole-plan writes.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> uri = f"{database}#zhangdian_grant"
    >>> write_plan(datasets.load("zhangdian"), uri)
    1
    >>> with connect(uri, autocommit=True) as con:
    ...     _ = con.execute("DROP ROLE IF EXISTS surveyor; CREATE ROLE surveyor")
    >>> grant(uri, "surveyor", edit=False)  # may read the plan, not change it
    >>> with connect(uri) as con:
    ...     con.execute("SELECT has_table_privilege('surveyor', 'zhangdian_grant.parcels', 'SELECT'),"
    ...                 " has_table_privilege('surveyor', 'zhangdian_grant.parcels', 'UPDATE')").fetchone()
    (True, False)
    >>> drop_plan(uri)
    """
    loc = parse_uri(uri)
    validate_name(role, what="role name", location=loc)
    with connect(loc) as con, con.cursor() as cur:
        _require_plan(cur, loc)
        _grant(cur, loc.plan, role, edit=edit)


def _grant(cur: psycopg.Cursor, plan: str, role: str, *, edit: bool) -> None:
    cur.execute(sql.SQL("SELECT name FROM {}").format(_ident(plan, _OBJECTS)))
    objects = [_ident(plan, r[0]) for r in cur.fetchall()]
    internal = [_ident(plan, t) for t in (_STATE, _META, _OBJECTS, _COLUMNS, _HISTORY)]
    who, schema = _ident(role), _ident(plan)
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, who),
        sql.SQL("GRANT SELECT ON {} TO {}").format(sql.SQL(", ").join(objects + internal), who),
    ]
    if edit:
        if objects:
            statements.append(sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(sql.SQL(", ").join(objects), who))
        statements += [
            sql.SQL("GRANT UPDATE ON {} TO {}").format(_ident(plan, _STATE), who),
            sql.SQL("GRANT INSERT ON {} TO {}").format(_ident(plan, _HISTORY), who),
            sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, who),
            sql.SQL("GRANT INSERT, UPDATE ON public.layer_styles TO {}").format(who),
            sql.SQL("GRANT USAGE ON SEQUENCE public.layer_styles_id_seq TO {}").format(who),
        ]
    statements.append(sql.SQL("GRANT SELECT ON public.layer_styles TO {}").format(who))
    cur.execute(sql.SQL(";").join(statements))


def _grantees(cur: psycopg.Cursor, plan: str) -> dict[str, bool]:
    """Roles granted access to the plan's layers → whether they may edit (to re-grant after a write)."""
    cur.execute(
        "SELECT grantee, bool_or(privilege_type = 'UPDATE') FROM information_schema.role_table_grants"
        " WHERE table_schema = %s AND table_name <> ALL(%s) AND grantee NOT IN (current_user, 'PUBLIC')"
        " AND grantee <> (SELECT tableowner FROM pg_tables WHERE schemaname = %s AND tablename = %s) GROUP BY grantee",
        (plan, list(_INTERNAL), plan, _STATE),
    )
    return {r[0]: bool(r[1]) for r in cur.fetchall()}


# -- history ----------------------------------------------------------------------------------------
#: Columns of :func:`history`.
HISTORY_COLUMNS = (
    "revision",
    "changed_at",
    "changed_by",
    "client",
    "layer",
    "feature_id",
    "zp_fid",
    "op",
    "changes",
    "geometry_changed",
    "area_before_m2",
    "area_after_m2",
)


def history(uri: str, *, layer: str | None = None, feature: str | None = None) -> pd.DataFrame:
    """Every change made to plan ``#PLAN``, oldest first (全过程留痕).

    The database triggers record each inserted, changed and deleted feature, whichever client
    made the change (zoneplan, QGIS, psql, ogr2ogr …); a whole-plan write is recorded as the old
    features deleted and the new ones inserted, at the new revision.

    Parameters
    ----------
    uri
        ``postgresql://…#PLAN``.
    layer
        Only changes of this layer (or table).
    feature
        Only changes of this feature: its contract id (``parcel_id`` …) or its ``zp_fid``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HISTORY_COLUMNS`: the plan ``revision`` of the change, ``changed_at``
        (timestamp with time zone), ``changed_by`` (database user), ``client``
        (``application_name`` of the connection), ``layer``, ``feature_id`` (contract id; NA for
        layers without one), ``zp_fid``, ``op`` (``INSERT``, ``UPDATE``, ``DELETE``), ``changes``
        (column → ``[old, new]``; every value for an insert or delete, the changed ones for an
        update), ``geometry_changed``, and the planar area in m² before and after
        (``area_before_m2`` / ``area_after_m2``, NA where there is no geometry).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> uri = f"{database}#zhangdian_history"
    >>> write_plan(datasets.load("zhangdian"), uri)
    1
    >>> parcels = read_layer(uri, "parcels", versions=True)
    >>> edit = parcels.loc[parcels.parcel_id == "ZD-0021", ["parcel_id", "zp_version", "status"]].assign(status="built")
    >>> _ = update_features(uri, "parcels", edit)
    >>> log = history(uri, feature="ZD-0021")
    >>> log[["revision", "layer", "op"]].to_numpy().tolist(), log["changes"].iloc[-1]
    ([[1, 'parcels', 'INSERT'], [2, 'parcels', 'UPDATE']], {'status': ['supplied', 'built']})
    >>> drop_plan(uri)
    """
    loc = parse_uri(uri)
    where, params = [sql.SQL("TRUE")], []
    if layer is not None:
        where.append(sql.SQL("layer = %s"))
        params.append(layer)
    if feature is not None:
        where.append(sql.SQL("(feature_id = %s OR (feature_id IS NULL AND zp_fid::text = %s))"))
        params += [str(feature), str(feature)]
    with connect(loc) as con, con.cursor() as cur:
        _require_plan(cur, loc)
        if not _has_history(cur, loc.plan):
            raise InputError("the plan was written before zoneplan kept a history: write it again to start one", file=loc, rule="history")
        cur.execute(
            sql.SQL(
                "SELECT revision, changed_at, changed_by, client, layer, feature_id, zp_fid, op, old_values, new_values,"
                " CASE op WHEN 'UPDATE' THEN old_geom IS DISTINCT FROM new_geom ELSE coalesce(old_geom, new_geom) IS NOT NULL END,"
                " ST_Area(old_geom), ST_Area(new_geom) FROM {} WHERE {} ORDER BY id"
            ).format(_ident(loc.plan, _HISTORY), sql.SQL(" AND ").join(where)),
            params,
        )
        rows = cur.fetchall()
    records = [(*r[:8], _changes(r[7], r[8], r[9]), *r[10:]) for r in rows]
    frame = pd.DataFrame(records, columns=list(HISTORY_COLUMNS))
    return frame.astype(
        {
            "revision": "Int64",
            "zp_fid": "Int64",
            "feature_id": "string",
            "changed_by": "string",
            "client": "string",
            "layer": "string",
            "op": "string",
            "area_before_m2": "Float64",
            "area_after_m2": "Float64",
        }
    )


def _changes(op: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    old, new = old or {}, new or {}
    keys = list(dict.fromkeys([*old, *new]))
    if op == "UPDATE":
        keys = [k for k in keys if old.get(k) != new.get(k)]
    return {k: [old.get(k), new.get(k)] for k in keys}


def read_revision(uri: str, revision: int) -> Plan:
    """The layers and tables of plan ``#PLAN`` as they were at ``revision``, rebuilt from its history.

    Column types follow the plan's current columns (:func:`read_plan`); metadata and styles are
    the current ones. ``plan.meta["postgis_revision"]`` names the revision rebuilt, so such a
    plan cannot be written back over a newer one by mistake.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> uri = f"{database}#zhangdian_rev"
    >>> write_plan(datasets.load("zhangdian"), uri)
    1
    >>> parcels = read_layer(uri, "parcels", versions=True)
    >>> edit = parcels.loc[parcels.parcel_id == "ZD-0021", ["parcel_id", "zp_version", "status"]].assign(status="built")
    >>> _ = update_features(uri, "parcels", edit)
    >>> before = read_revision(uri, 1)
    >>> before.parcels.set_index("parcel_id").loc["ZD-0021", "status"], before.meta["postgis_revision"]
    ('supplied', 'zhangdian_rev:1')
    >>> drop_plan(uri)
    """
    loc = parse_uri(uri)
    with connect(loc) as con:
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with con.cursor(binary=True) as cur:
            current, srid, wkt = _require_plan(cur, loc)
            if not _has_history(cur, loc.plan):
                raise InputError("the plan was written before zoneplan kept a history: write it again to start one", file=loc, rule="history")
            first = _one_row(cur.execute(sql.SQL("SELECT min(revision) FROM {}").format(_ident(loc.plan, _HISTORY))), loc.plan)[0]
            if not isinstance(revision, (int, np.integer)) or first is None or not first <= revision <= current:
                raise InputError(f"plan {loc.plan!r} has no revision {revision!r}: its history covers revisions {first}–{current}", file=loc, rule="revision")
            cur.execute(sql.SQL("SELECT key, value FROM {}").format(_ident(loc.plan, _META)))
            meta = dict(cur.fetchall())
            cur.execute(
                sql.SQL(
                    "SELECT layer, op, new_values, ST_AsBinary(new_geom) FROM ("
                    " SELECT DISTINCT ON (layer, coalesce(feature_id, '#' || zp_fid)) layer, zp_fid, op, new_values, new_geom"
                    " FROM {} WHERE revision <= %s ORDER BY layer, coalesce(feature_id, '#' || zp_fid), id DESC) AS last"
                    " WHERE op <> 'DELETE' ORDER BY layer, zp_fid"
                ).format(_ident(loc.plan, _HISTORY)),
                (int(revision),),
            )
            rows = cur.fetchall()
            cur.execute(sql.SQL("SELECT name, kind, (to_jsonb(o) ->> 'promoted') = 'true' FROM {} AS o ORDER BY position").format(_ident(loc.plan, _OBJECTS)))
            objects = cur.fetchall()
            kinds = {name: kind for name, kind, _ in objects}
            promoted = {name for name, _, flag in objects if flag}
            dtypes = {name: dict(_columns(cur, loc.plan, name)) for name in kinds}
    crs = pyproj.CRS.from_wkt(wkt) if wkt else pyproj.CRS.from_epsg(srid)
    by_layer: dict[str, list[tuple[Any, Any]]] = {}
    for layer_name, _, values, wkb in rows:
        by_layer.setdefault(layer_name, []).append((values, wkb))
    layers, tables = {}, {}
    for name in [*kinds, *(n for n in by_layer if n not in kinds)]:
        entries = by_layer.get(name, [])
        found = pd.DataFrame([v for v, _ in entries], index=pd.RangeIndex(len(entries)))
        types = dtypes.get(name) or dict.fromkeys(found.columns, "object")
        frame = pd.DataFrame({c: _restore(found[c] if c in found else [None] * len(entries), t) for c, t in types.items()}, index=found.index)
        has_geometry = kinds[name] == "layer" if name in kinds else any(g is not None for _, g in entries)
        if has_geometry:
            geoms = shapely.from_wkb(np.array([g for _, g in entries], dtype=object))
            geoms = _demote(geoms) if name in promoted else geoms
            layers[name] = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index, crs=crs), crs=crs)
        else:
            tables[name] = frame
    meta[REVISION_META_KEY] = f"{loc.plan}:{int(revision)}"
    return Plan({n: g for n, g in layers.items() if len(g) or n in kinds}, tables, crs=crs, meta=meta)


# -- catalogue --------------------------------------------------------------------------------------
def plan_revision(uri: str) -> int:
    """Current revision of plan ``#PLAN`` (increases with every write and edit).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> uri = f"{database}#zhangdian_revision"
    >>> write_plan(datasets.load("zhangdian"), uri), write_plan(datasets.load("zhangdian"), uri)
    (1, 2)
    >>> plan_revision(uri)
    2
    >>> drop_plan(uri)
    """
    loc = parse_uri(uri)
    with connect(loc) as con, con.cursor() as cur:
        return _require_plan(cur, loc)[0]


def list_plans(uri: str) -> list[str]:
    """Names of the zoneplan plans in the database of ``uri`` (the plan part may be omitted).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> write_plan(datasets.load("linqing"), f"{database}#linqing_list")
    1
    >>> "linqing_list" in list_plans(database)
    True
    >>> drop_plan(f"{database}#linqing_list")
    """
    parts = urlsplit(str(uri))
    loc = PlanLocation(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "plan"]), "")), "-")
    with connect(loc) as con, con.cursor() as cur:
        cur.execute("SELECT table_schema FROM information_schema.tables WHERE table_name = %s ORDER BY 1", (_STATE,))
        return [r[0] for r in cur.fetchall()]


def drop_plan(uri: str) -> None:
    """Delete plan ``#PLAN`` (its schema) from the database.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> write_plan(datasets.load("zhangdian"), f"{database}#zhangdian_drop")
    1
    >>> drop_plan(f"{database}#zhangdian_drop")
    >>> "zhangdian_drop" in list_plans(database)
    False
    """
    loc = parse_uri(uri)
    with connect(loc) as con, con.cursor() as cur:
        _lock_plan(cur, loc.plan)
        _require_plan(cur, loc)
        cur.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(_ident(loc.plan)))
