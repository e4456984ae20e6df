"""Derived tables that follow the data: memoised under a fingerprint of the plan's *content* (internal).

A plan's layers are ordinary GeoDataFrames and a notebook may change them in place
(``plan.parcels["landuse_code"] = "0701"``), so nothing derived from a plan may be keyed on the
plan object. Every memoised value (:func:`memo`) is stored under a digest of everything the plan
holds — each layer's index, column names, dtypes and values and its geometry, each table, the
metadata and the CRS — plus the arguments that shaped it. Change any of it and the key changes,
so the next call computes afresh; give the same content in a new plan object (a fresh read, a
scenario with no effect) and the stored value is reused. At most ``settings.cache_size`` plan
contents are kept (least recently used first out).

Computing the digest reads every value once (at 1M parcels about as long as computing the
planar areas a few times over; see ``benchmarks/bench_fingerprint.py``), so it is taken once per
top-level call: a function marked :func:`follows_data` opens a *call scope* in which a plan
object's digest is remembered — nothing edits a plan while zoneplan computes on it — and nested
calls reuse it. Outside a scope the digest is taken at every access, which is slower but still
right.

Threads
-------
The parts of one computation may run side by side (:mod:`zoneplan._threads`) and ask for the
same value at once: the first builds it and the others wait for it (lending their thread's
place meanwhile), so each value is built once. A build that raises raises in every thread
waiting for it and is forgotten, so the next call builds afresh. The plan's digest in a call
scope is taken the same way, once. The store itself is guarded by one lock.

How values are read
-------------------
* numbers, booleans, dates (numpy): their bytes;
* Arrow-backed columns (pandas' default ``string`` dtype): the Arrow buffers, offset and length;
* nullable integers/floats/booleans: converted to Arrow, then as above;
* geometry: coordinates (x, y and z where present), geometry type, part and coordinate counts
  and area of each feature — read once per array while it holds the same geometry objects
  (geometries are immutable; see :func:`_geometry_digest`), so ``analyze`` then ``check`` on one
  plan read its geometry once;
* anything else (object columns): :func:`pandas.util.hash_pandas_object`, or the text of each
  cell where cells are unhashable (dicts, lists).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np
import pandas as pd
import shapely

from zoneplan._threads import run_all, waiting
from zoneplan.settings import settings

if TYPE_CHECKING:
    from zoneplan.plan import Plan

__all__ = ["SHAPING_SETTINGS", "call_scope", "clear", "fingerprint", "follows_data", "frame_digest", "memo", "value_digest"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
_SCOPE: ContextVar[dict[int, tuple[Any, Future[bytes]]] | None] = ContextVar("zoneplan_call_scope", default=None)
_STORE: OrderedDict[bytes, dict[Hashable, Any]] = OrderedDict()
#: Guards the store, the values being built and the call scopes' digests (threads, :mod:`zoneplan._threads`).
_LOCK = threading.Lock()
_BUILDING: dict[tuple[bytes, Hashable], tuple[Future[Any], int]] = {}  # the value and the thread building it


class _GeometryRead(NamedTuple):
    array: weakref.ref[np.ndarray]
    addresses: np.ndarray
    held: np.ndarray  # a copy of the array: keeps the objects alive, so their addresses stay theirs
    digest: bytes


_GEOMETRY_READ: dict[int, _GeometryRead] = {}  # by id() of the geometry array read (:func:`_geometry_digest`)
#: Settings that change computed values; part of every :func:`memo` key.
SHAPING_SETTINGS: tuple[str, ...] = ("area_basis", "area_tolerance_m2", "target_equal_tolerance", "target_bound_tolerance", "supply_eps_mu")


# -- digests -----------------------------------------------------------------------------------
def _update_arrow(h: Any, chunked: Any) -> None:
    chunks = getattr(chunked, "chunks", [chunked])
    h.update(f"arrow:{chunked.type}:{len(chunks)}".encode())
    for chunk in chunks:
        h.update(f"{chunk.offset}:{len(chunk)}:{chunk.null_count}".encode())
        for buffer in chunk.buffers():
            h.update(b"\x00" if buffer is None else memoryview(buffer))


def _update_array(h: Any, values: np.ndarray) -> None:
    values = np.ascontiguousarray(values)
    h.update(f"{values.dtype}:{values.shape}".encode())
    if values.size:
        h.update(values.reshape(-1).view(np.uint8))


def _geometry_digest(geoms: np.ndarray) -> bytes:
    """Digest of a geometry array's content, read again only when it holds other geometry objects.

    Geometries are immutable, so an array holding the very objects it held when last read has
    the same content. Each array read is remembered (while it lives) with its objects' addresses
    and a copy of itself; the copy keeps every one of those objects alive, so no new geometry
    can take an old address and an unchanged address list means unchanged objects. An array
    edited in place (a cell given a new geometry) shows other addresses and is read afresh.
    """
    geoms = np.asarray(geoms, dtype=object)
    if geoms.ndim != 1 or not geoms.flags.c_contiguous:
        return _geometry_content(geoms)
    addresses = np.ctypeslib.as_array((ctypes.c_size_t * len(geoms)).from_address(geoms.ctypes.data)).copy() if len(geoms) else np.zeros(0, np.uint64)
    with _LOCK:
        seen = _GEOMETRY_READ.get(id(geoms))
    if seen is not None and seen.array() is geoms and np.array_equal(seen.addresses, addresses):
        return seen.digest
    digest = _geometry_content(geoms)
    key = id(geoms)

    def forget(ref: weakref.ref[np.ndarray]) -> None:
        with _LOCK:
            if (entry := _GEOMETRY_READ.get(key)) is not None and entry.array is ref:
                del _GEOMETRY_READ[key]

    with _LOCK:
        _GEOMETRY_READ[key] = _GeometryRead(weakref.ref(geoms, forget), addresses, geoms.copy(), digest)
    return digest


def _geometry_content(geoms: np.ndarray) -> bytes:
    h = hashlib.sha1(usedforsecurity=False)
    with_z = bool(len(geoms)) and bool(shapely.has_z(geoms).any())
    coords = shapely.get_coordinates(geoms, include_z=with_z)
    h.update(f"geometry:{len(geoms)}:{with_z}".encode())
    for part in (coords, shapely.get_type_id(geoms), shapely.get_num_geometries(geoms), shapely.get_num_coordinates(geoms), shapely.area(geoms)):
        _update_array(h, part)
    return h.digest()


def _update_values(h: Any, values: pd.Series | pd.Index) -> None:
    dtype = values.dtype
    h.update(f"{dtype}|{len(values)}|".encode())
    array = values.array
    if getattr(dtype, "name", "") == "geometry":
        h.update(_geometry_digest(np.asarray(array)))
    elif isinstance(dtype, pd.CategoricalDtype):
        _update_array(h, array.codes)
        _update_values(h, pd.Index(array.categories))
    elif isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
        _update_array(h, values.to_numpy())
    elif hasattr(array, "__arrow_array__") and not (isinstance(dtype, np.dtype) and dtype.kind == "O"):
        _update_arrow(h, array.__arrow_array__())
    else:
        objects = np.asarray(values, dtype=object)
        try:
            _update_array(h, pd.util.hash_pandas_object(pd.Series(objects), index=False).to_numpy())
        except TypeError:  # unhashable cells (dicts, lists): by their text
            h.update("\x1f".join(map(repr, objects)).encode("utf-8", "surrogatepass"))


def frame_digest(frame: pd.DataFrame, h: Any | None = None) -> bytes:
    """Digest of a (Geo)DataFrame's content: index, column names, dtypes and values, CRS."""
    h = h if h is not None else hashlib.sha1(usedforsecurity=False)
    h.update(f"frame:{frame.shape}:{list(map(str, frame.columns))}".encode())
    try:
        crs = getattr(frame, "crs", None)
    except AttributeError:  # a GeoDataFrame without an active geometry column
        crs = None
    h.update(str(crs.to_wkt() if crs is not None else None).encode())
    columns = [frame.index, *(frame.iloc[:, i] for i in range(frame.shape[1]))]
    for digest in run_all([functools.partial(_values_digest, values) for values in columns], start=_geometry_first(frame)):
        h.update(digest)
    return h.digest()


def _values_digest(values: pd.Series | pd.Index) -> bytes:
    h = hashlib.sha1(usedforsecurity=False)
    _update_values(h, values)
    return h.digest()


def _geometry_first(frame: pd.DataFrame) -> list[int]:
    """Positions (in :func:`frame_digest`'s list, index first) of the geometry columns: the longest to read."""
    return [i + 1 for i, dtype in enumerate(frame.dtypes) if getattr(dtype, "name", "") == "geometry"]


def value_digest(value: Any) -> str:
    """Digest of a plain value (a profile, rules mapping …) by its JSON text, for memo keys."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _plan_digest(plan: Plan) -> bytes:
    h = hashlib.sha1(usedforsecurity=False)
    h.update(str(plan.crs.to_wkt() if plan.crs is not None else None).encode())
    h.update(json.dumps([dict(plan.meta), {k: dict(v) for k, v in plan.layer_meta.items()}], sort_keys=True, ensure_ascii=False, default=repr).encode())
    for kind, frames in (("layer", plan.layers), ("table", plan.tables)):
        for name in sorted(frames):
            h.update(f"{kind}:{name}".encode())
            frame_digest(frames[name], h)
    return h.digest()


def fingerprint(plan: Plan) -> bytes:
    """Digest of everything ``plan`` holds (once per plan object within a call scope)."""
    scope = _SCOPE.get()
    if scope is None:
        return _plan_digest(plan)
    with _LOCK:
        hit = scope.get(id(plan))
        mine = hit is None or hit[0] is not plan
        if mine:
            pending: Future[bytes] = Future()
            scope[id(plan)] = (plan, pending)  # the plan is held, so its id cannot be reused in the scope
        else:
            pending = hit[1]  # type: ignore[index]
    return _settle(pending, lambda: _plan_digest(plan), mine=mine, forget=lambda: scope.pop(id(plan), None))


def _settle(pending: Future[T], build: Callable[[], T], *, mine: bool, forget: Callable[[], object]) -> T:
    """The value of ``pending``: built here when ``mine``, else awaited from the thread building it.

    A build that raises is forgotten (under the lock), so a later call builds afresh, and the
    threads waiting for it raise its exception.
    """
    if not mine:
        with waiting():
            return pending.result()
    try:
        value = build()
    except BaseException as exc:
        with _LOCK:
            forget()
        pending.set_exception(exc)
        raise
    pending.set_result(value)
    return value


# -- call scopes -------------------------------------------------------------------------------
@contextlib.contextmanager
def call_scope() -> Iterator[None]:
    """Within this block a plan object's fingerprint is taken once (plans are not edited meanwhile)."""
    if _SCOPE.get() is not None:
        yield
        return
    token = _SCOPE.set({})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def follows_data(fn: F) -> F:
    """Mark a public function: it runs in a :func:`call_scope`, so its nested work fingerprints each plan once."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with call_scope():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# -- the store ---------------------------------------------------------------------------------
def memo(plan: Plan, key: Hashable, build: Callable[[], T]) -> T:
    """``build()`` once per plan *content* and ``key``; callers must not modify what they get.

    ``key`` names the value and every argument that shapes it other than the plan (a year, a
    level, :func:`value_digest` of a profile); the settings that shape results
    (:data:`SHAPING_SETTINGS`) are added to every key here.
    """
    if settings.cache_size == 0:
        return build()
    key = (key, tuple(settings.get(name) for name in SHAPING_SETTINGS))
    digest = fingerprint(plan)
    with _LOCK:
        bucket = _STORE.get(digest)
        if bucket is None:
            bucket = _STORE[digest] = {}
            while len(_STORE) > settings.cache_size:
                _STORE.popitem(last=False)
        else:
            _STORE.move_to_end(digest)
        if key in bucket:
            return bucket[key]
        building = _BUILDING.get((digest, key))
        mine = building is None
        if building is None:
            building = _BUILDING[(digest, key)] = (Future(), threading.get_ident())
        elif building[1] == threading.get_ident():  # waiting for itself would hang for ever
            raise RuntimeError(f"memoised value {key[0]!r} asked for while this thread builds it")
        pending = building[0]

    def store() -> T:
        value = build()
        with _LOCK:
            bucket[key] = value
            del _BUILDING[(digest, key)]
        return value

    return _settle(pending, store, mine=mine, forget=lambda: _BUILDING.pop((digest, key), None))


def clear() -> None:
    """Forget every memoised value (benchmarks start cold with it)."""
    with _LOCK:
        _STORE.clear()
        _GEOMETRY_READ.clear()
