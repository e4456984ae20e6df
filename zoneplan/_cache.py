"""Values derived from a plan, computed once per plan object (internal).

A :class:`~zoneplan.plan.Plan` is immutable by convention, so a table derived from it (land-use
flags of a year, the validation problems, the per-parcel analysis frame) can be reused for as long
as the plan object lives; the cache holds the plan weakly and forgets with it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from zoneplan.plan import Plan

__all__ = ["cached"]

T = TypeVar("T")
_CACHE: "weakref.WeakKeyDictionary[Plan, dict[Any, Any]]" = weakref.WeakKeyDictionary()


def cached(plan: Plan, key: Hashable, build: Callable[[], T]) -> T:
    """``build()`` once per ``plan`` and ``key`` (kept while the plan object lives)."""
    store = _CACHE.setdefault(plan, {})
    if key not in store:
        store[key] = build()
    return store[key]
