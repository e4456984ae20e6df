"""Where the workbench reads and saves a plan: a GeoPackage file or a PostGIS schema.

Both stores give the plan with a *revision* — a token that changes whenever anyone saves — and
save a new ``phases`` layer only if the plan is still at the revision the browser last saw:

* GeoPackage: the revision is the file's modification time and size (any writer, the CLI or QGIS
  included, changes it); a save rewrites the file atomically (:func:`zoneplan.io.gpkg.write_plan`)
  under a lock, so two saves cannot interleave.
* PostGIS: the revision is the plan's own counter (:func:`zoneplan.io.postgis.plan_revision`); a
  save is one transaction that refuses a plan changed since (:class:`~zoneplan.io.postgis.ConflictError`).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from zoneplan.errors import ZoneplanError
from zoneplan.io import is_database_uri
from zoneplan.plan import Plan

__all__ = ["PlanStore", "StaleError", "open_store"]


class StaleError(ZoneplanError):
    """The plan was saved by someone else after the browser read it; nothing was written.

    Examples
    --------
    >>> import shutil, tempfile
    >>> from zoneplan import datasets
    >>> store = open_store(shutil.copy(datasets.get_path("zhangdian"), tempfile.mkdtemp()))
    >>> plan, seen = store.read()
    >>> _ = store.save_phases(plan.phases, expected=seen)  # someone else saves first
    >>> try:
    ...     store.save_phases(plan.phases.iloc[:2], expected=seen)
    ... except StaleError as exc:
    ...     print(exc.layer, exc.rule, "|", exc.message.split(" (")[0], "|", len(store.read()[0].phases))
    phases revision | the plan was saved by someone else since you loaded it | 3
    """


def _stale(seen: str, now: str, where: object) -> StaleError:
    return StaleError(
        f"the plan was saved by someone else since you loaded it (your revision {seen}, now {now}); nothing was written — reload to see their changes and apply yours again",
        file=where,
        layer="phases",
        rule="revision",
    )


@dataclass
class PlanStore:
    """A plan location with revision-checked saves of its phases layer and one level of undo.

    Use :func:`open_store`; :meth:`read` returns the plan and its revision, :meth:`save_phases`
    replaces the ``phases`` layer if the plan is still at ``expected``, :meth:`undo` puts back
    the layer as it was before the last save made through this store.

    Examples
    --------
    >>> import shutil, tempfile
    >>> from zoneplan import datasets
    >>> store = open_store(shutil.copy(datasets.get_path("zhangdian"), tempfile.mkdtemp()))
    >>> plan, seen = store.read()
    >>> saved = store.save_phases(plan.phases.iloc[:2], expected=seen)  # drop phase 3
    >>> len(store.read()[0].phases), saved == store.revision() != seen, store.can_undo
    (2, True, True)
    >>> _ = store.undo(expected=saved)
    >>> len(store.read()[0].phases), store.can_undo
    (3, False)
    """

    location: str
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _undo: tuple[gpd.GeoDataFrame, str] | None = field(default=None, repr=False)

    @property
    def is_postgis(self) -> bool:
        """True for a ``postgresql://`` plan."""
        return is_database_uri(self.location)

    def revision(self) -> str:
        """The plan's current revision token."""
        if self.is_postgis:
            from zoneplan.io.postgis import plan_revision

            return str(plan_revision(self.location))
        st = os.stat(self.location)
        return f"{st.st_mtime_ns:x}-{st.st_size:x}"

    def require_revision(self, expected: str) -> None:
        """Raise :class:`StaleError` unless the plan is at revision ``expected``."""
        current = self.revision()
        if current != str(expected):
            raise _stale(str(expected), current, self._where())

    def read(self) -> tuple[Plan, str]:
        """The plan and the revision it was read at."""
        if self.is_postgis:
            from zoneplan.io.postgis import REVISION_META_KEY, read_plan

            plan = read_plan(self.location)
            return plan, str(plan.meta[REVISION_META_KEY]).rpartition(":")[2]
        with self._lock:
            revision = self.revision()
            return Plan.read(self.location), revision

    @property
    def can_undo(self) -> bool:
        """Whether a save made here can be undone."""
        return self._undo is not None

    def save_phases(self, phases: gpd.GeoDataFrame, *, expected: str) -> str:
        """Replace the plan's phases layer if the plan is at revision ``expected``; the new revision.

        Raises
        ------
        StaleError
            The plan changed since revision ``expected``; nothing was written.
        """
        with self._lock:
            plan, current = self._read_locked()
            if current != str(expected):
                raise _stale(str(expected), current, self._where())
            before = plan.phases.copy()
            revision = self._write(plan.with_layer("phases", phases, meta=plan.layer_meta.get("phases")), current)
            self._undo = (before, revision)
            return revision

    def undo(self, *, expected: str) -> str:
        """Put back the phases layer as it was before the last save; the new revision.

        Refused (:class:`StaleError`) when nothing was saved here, or when the plan changed
        after that save (undoing would discard someone else's work).
        """
        with self._lock:
            if self._undo is None:
                raise StaleError("nothing to undo: no save was made in this session", file=self._where(), layer="phases", rule="undo")
            before, saved_at = self._undo
            plan, current = self._read_locked()
            if current != str(expected) or current != saved_at:
                raise _stale(str(expected), current, self._where())
            revision = self._write(plan.with_layer("phases", before, meta=plan.layer_meta.get("phases")), current)
            self._undo = None
            return revision

    # -- backend specifics --------------------------------------------------------------------
    def _where(self) -> str:
        if self.is_postgis:
            from zoneplan.io.postgis import parse_uri

            return str(parse_uri(self.location))
        return self.location

    def _read_locked(self) -> tuple[Plan, str]:
        if self.is_postgis:
            return self.read()
        return Plan.read(self.location), self.revision()

    def _write(self, plan: Plan, current: str) -> str:
        if not self.is_postgis:
            plan.write(self.location)
            return self.revision()
        from zoneplan.io.postgis import ConflictError, write_plan

        try:
            # plan.meta carries the revision it was read at: write_plan refuses, in the same
            # transaction, a plan someone changed between our read and this write
            return str(write_plan(plan, self.location))
        except ConflictError as exc:
            raise _stale(current, str(self.revision()), self._where()) from exc


def open_store(location: str | Path) -> PlanStore:
    """A :class:`PlanStore` of a plan GeoPackage or ``postgresql://…#PLAN`` location.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> store = open_store(datasets.get_path("zhangdian"))
    >>> plan, revision = store.read()
    >>> len(plan.phases), revision == store.revision()
    (3, True)
    """
    from zoneplan.errors import InputError

    text = str(location)
    if not is_database_uri(text):
        if not Path(text).exists():
            raise InputError("plan file not found", file=text)
        text = str(Path(text).resolve())
    return PlanStore(text)
